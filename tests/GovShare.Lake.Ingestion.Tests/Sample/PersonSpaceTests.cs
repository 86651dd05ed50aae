using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Sample;
using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Ingestion.Tests.Sample;

/// <summary>The arithmetic that lets the generator stream: unique identity numbers by construction, and the
/// way back from a number to its holder.</summary>
public sealed class PersonSpaceTests
{
    private static readonly DateOnly AsOf = new(2026, 11, 22);

    [Fact]
    public void Derive_Should_GiveEveryPersonAUniqueValidNumber()
    {
        var persons = new PersonSpace(7, 200_000, AsOf);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < persons.Count; i++)
        {
            var person = persons.Derive(i);
            Assert.True(seen.Add(person.Id), $"person {i} repeats {person.Id}");
            if (i % 97 == 0)
            {
                var check = IdentifierValidator.Default.CheckCitizen(person.Id);
                Assert.True(check.IsValid, check.Reason);
                Assert.Equal(person.BirthDate, check.Citizen!.BirthDate);
                Assert.Equal(person.IsMale, check.Citizen.Sex == Sex.Male);
                Assert.True(person.BirthDate < AsOf);
            }
        }
    }

    [Fact]
    public void IndexOf_Should_FindTheHolder_And_NobodyForOtherNumbers()
    {
        var persons = new PersonSpace(20261122, 50_000, AsOf);
        for (long i = 0; i < persons.Count; i += 37)
        {
            Assert.Equal(i, persons.IndexOf(persons.Derive(i).Id));
        }

        Assert.Equal(-1, persons.IndexOf("110101190001011009"));
        Assert.Equal(-1, persons.IndexOf("not an id"));
    }

    [Fact]
    public void Derive_Should_BeTheSame_When_DerivedAgainOrElsewhere()
    {
        var a = new PersonSpace(99, 10_000, AsOf);
        var b = new PersonSpace(99, 10_000, AsOf);

        Assert.Equal(a.Derive(1234).Id, b.Derive(1234).Id);
        Assert.Equal(a.Derive(1234).Name, a.Derive(1234).Name);
        Assert.Equal(a.HouseholdAddress(a.Derive(5)).Full, b.HouseholdAddress(b.Derive(5)).Full);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(5UL)]
    [InlineData(1000UL)]
    [InlineData(65_537UL)]
    public void IndexPermutation_Should_BeABijection(ulong size)
    {
        var permutation = new IndexPermutation(size, 12345);
        var seen = new bool[size];
        for (ulong i = 0; i < size; i++)
        {
            var image = permutation.Forward(i);
            Assert.InRange(image, 0UL, size - 1);
            Assert.False(seen[image]);
            seen[image] = true;
            Assert.Equal(i, permutation.Inverse(image));
        }
    }

    [Fact]
    public void ToTraditional_Should_ChangeOnlyCharactersWithATraditionalForm()
    {
        Assert.Equal("張偉", ChineseNames.ToTraditional("张伟"));
        Assert.Equal("王麗", ChineseNames.ToTraditional("王丽"));
        Assert.Null(ChineseNames.ToTraditional("王平"));
        Assert.Equal("１３８ab", ChineseNames.FullWidthDigits("138ab"));
    }

    [Fact]
    public void Confusables_Should_StayDifferent_AfterTheLakesNormalisation()
    {
        // A mistyped character the normaliser folded back (a traditional form, a width variant) would be an equivalent
        // difference labelled as a typo.
        Assert.NotEmpty(ChineseNames.Confusables);
        foreach (var (meant, typed) in ChineseNames.Confusables.SelectMany(c => c.Value.Select(t => (c.Key, t))))
        {
            Assert.NotEqual(TextNormaliser.Normalise(meant.ToString()), TextNormaliser.Normalise(typed.ToString()));
            Assert.False(char.IsAsciiDigit(typed));
        }
    }

    [Fact]
    public void Pinyin_Should_WriteTheNameAsAPassportDoes_With_MatchingPinyinKeys()
    {
        Assert.Equal("ZHANG Weiming", ChineseNames.Pinyin("张", "伟明", capitalSurname: true));
        Assert.Equal("Ouyang Xue", ChineseNames.Pinyin("欧阳", "雪", capitalSurname: false));
        // Heteronyms read as in names, not by their most common reading.
        Assert.Equal("ZENG Chang", ChineseNames.Pinyin("曾", "长", capitalSurname: true));
        Assert.Equal("LV Fang", ChineseNames.Pinyin("吕", "芳", capitalSurname: true));
        Assert.True(PinyinKey.Matches("翟长华", ChineseNames.Pinyin("翟", "长华", capitalSurname: true)));
    }

    [Fact]
    public void Mistype_Should_ReplaceOneCharacterAfterTheStart_OrNothing()
    {
        var random = SampleRandom.For(1, Streams.InsuredVariant, 7);
        const string Address = "河南省郑州市金水区花园路街道幸福社区12号院3号楼2单元501室";
        for (var i = 0; i < 50; i++)
        {
            var typo = ChineseNames.Mistype(Address, 9, ref random)!;
            var differs = Enumerable.Range(0, Address.Length).Where(p => Address[p] != typo[p]).ToList();
            Assert.Equal(Address.Length, typo.Length);
            var at = Assert.Single(differs);
            Assert.True(at >= 9);
            Assert.Contains(typo[at], ChineseNames.Confusables[Address[at]]);
        }

        Assert.Null(ChineseNames.Mistype("12号院3号楼", 0, ref random));
    }
}
