using System.CommandLine;
using System.Text;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Text;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare id check</c>: validates identifiers given as arguments or one per line on
/// standard input, streaming, and prints one tab-separated verdict per value.</summary>
internal static class IdCommand
{
    private const int ProgressEvery = 250_000;

    public static Command Create(CliConsole console)
    {
        var id = new Command("id", "Work with identifiers: citizen ID numbers, credit codes, organisation codes, licence numbers, division codes.");
        id.Subcommands.Add(CreateCheck(console));
        return id;
    }

    private static Command CreateCheck(CliConsole console)
    {
        var values = new Argument<string[]>("VALUE")
        {
            Description = "Values to check. With none, values are read from standard input, one per line (blank lines are skipped).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        values.Validators.Add(result =>
        {
            // No identifier starts with a dash: such a token is a mistyped option, not a value.
            var optionLike = result.Tokens.FirstOrDefault(token => token.Value.StartsWith('-'));
            if (optionLike is not null)
            {
                result.AddError($"Unrecognized option '{optionLike.Value}'.");
            }
        });
        var kind = new Option<string?>("--kind")
        {
            Description = "Check every value as this kind instead of recognising the kind from its shape.",
            HelpName = "citizen|uscc|org|licence|division",
        };
        kind.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && !IdentifierKindNames.TryParse(token.Value, out _))
            {
                result.AddError($"'{token.Value}' is not a kind: use citizen, uscc, org, licence or division.");
            }
        });
        var encoding = new Option<string>("--encoding")
        {
            Description = "Encoding of standard input: auto (UTF-8, else GBK/GB18030), utf-8 or gbk.",
            DefaultValueFactory = _ => "auto",
        };
        encoding.AcceptOnlyFromAmong("auto", "utf-8", "utf8", "gbk", "gb18030");

        var check = new Command("check",
            "Validate identifiers. Prints 'value<TAB>kind<TAB>valid|invalid<TAB>reason<TAB>normalized' per value. " +
            "Exit code 0 when every value is valid, 1 when any is invalid, 2 on usage errors.")
        {
            values,
            kind,
            encoding,
        };
        check.SetAction((parseResult, cancellationToken) =>
        {
            IdentifierKindNames.TryParse(parseResult.GetValue(kind), out var forcedKind);
            var encodingName = parseResult.GetValue(encoding)!;
            var arguments = parseResult.GetValue(values) ?? [];
            var run = new CheckRun(IdentifierValidator.Default, forcedKind, console);
            if (arguments.Length > 0)
            {
                run.CheckAll(arguments, cancellationToken);
            }
            else
            {
                using var input = TextEncodings.OpenReader(
                    console.OpenInput(), encodingName == "auto" ? null : TextEncodings.FromName(encodingName));
                try
                {
                    run.CheckAll(ReadLines(input), cancellationToken);
                }
                catch (DecoderFallbackException ex)
                {
                    throw new LakeException(LakeErrorKind.InvalidInput,
                        $"standard input is not valid {input.CurrentEncoding.WebName} after line {run.Valid + run.Invalid} " +
                        $"(byte 0x{ex.BytesUnknown?.FirstOrDefault():X2}); give the encoding with --encoding gbk or --encoding utf-8.", ex);
                }

                run.WriteSummary();
            }

            return Task.FromResult(run.Invalid == 0 ? ExitCodes.Success : ExitCodes.Failure);
        });
        return check;
    }

    private static IEnumerable<string> ReadLines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return line;
            }
        }
    }

    private sealed class CheckRun(IdentifierValidator validator, IdentifierKind kind, CliConsole console)
    {
        private readonly StringBuilder _line = new(128);

        public long Valid { get; private set; }

        public long Invalid { get; private set; }

        public void CheckAll(IEnumerable<string> values, CancellationToken cancellationToken)
        {
            foreach (var value in values)
            {
                var result = validator.Check(value, kind);
                if (result.IsValid)
                {
                    Valid++;
                }
                else
                {
                    Invalid++;
                }

                WriteResult(result);
                if (console.InputIsTerminal)
                {
                    console.Out.Flush(); // someone is typing values: answer each at once
                }

                var done = Valid + Invalid;
                if (done % ProgressEvery == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (console.ErrorIsTerminal)
                    {
                        console.Error.Write($"\rchecked {done:N0} values…");
                    }
                }
            }
        }

        public void WriteSummary()
        {
            var prefix = console.ErrorIsTerminal ? "\r" : string.Empty;
            console.Error.WriteLine($"{prefix}id check: {Valid + Invalid:N0} values, {Valid:N0} valid, {Invalid:N0} invalid");
        }

        private void WriteResult(IdentifierCheck result)
        {
            _line.Clear();
            AppendField(result.Input).Append('\t')
                .Append(result.Kind.ToName()).Append('\t')
                .Append(result.IsValid ? "valid" : "invalid").Append('\t');
            AppendField(result.Reason).Append('\t');
            AppendField(result.Normalized);
            console.Out.WriteLine(_line);
        }

        // A value or reason with a tab or line break in it would shift the columns.
        private StringBuilder AppendField(string? text)
        {
            foreach (var c in text.AsSpan())
            {
                _line.Append(c is '\t' or '\r' or '\n' ? ' ' : c);
            }

            return _line;
        }
    }
}
