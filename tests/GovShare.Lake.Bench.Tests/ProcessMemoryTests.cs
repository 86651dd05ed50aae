namespace GovShare.Lake.Bench.Tests;

/// <summary>Reading the resident set from <c>/proc/PID/status</c>, which the export and soak figures rest on.</summary>
public sealed class ProcessMemoryTests
{
    [Theory]
    [InlineData("VmHWM:\t  912340 kB", 912_340)]
    [InlineData("VmHWM:\t10485760 kB", 10_485_760)] // 8 digits fill the field: no space after the tab (a 13 M export's peak)
    [InlineData("VmRSS:\t123456789 kB", 123_456_789)]
    public void A_status_line_is_read_whatever_the_number_s_width(string line, long kib)
    {
        Assert.Equal(kib, ProcessMemory.ParseStatusKiB(line));
    }

    [Fact]
    public void This_process_s_resident_set_is_read_from_proc()
    {
        var resident = ProcessMemory.ResidentKiB();
        var peak = ProcessMemory.PeakResidentKiB();

        Assert.InRange(resident, 1024, long.MaxValue);
        Assert.InRange(peak, resident, long.MaxValue);
    }
}
