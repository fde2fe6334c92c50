using SaeAudit.Models.Hub;
using SaeAudit.Models.Tests.Checkpoints;

namespace SaeAudit.Models.Tests.Hub;

/// <summary>The environment variables huggingface_hub reads, passed as a lookup (the process environment is shared
/// by parallel tests and is left alone).</summary>
public class HubSettingsTests
{
    private static HubSettings From(params (string Name, string Value)[] variables) =>
        HubSettings.FromEnvironment(name => variables.FirstOrDefault(v => v.Name == name).Value);

    [Fact]
    public void Defaults_follow_huggingface_hub()
    {
        var settings = From(("HF_HOME", "/data/hf"));

        settings.Should().Be(new HubSettings("https://huggingface.co", null, "/data/hf/hub", false, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Without_HF_HOME_the_cache_is_under_XDG_CACHE_HOME()
    {
        From(("XDG_CACHE_HOME", "/xdg")).CacheDirectory.Should().Be("/xdg/huggingface/hub");
    }

    [Fact]
    public void Variables_override_the_defaults()
    {
        var settings = From(("HF_ENDPOINT", "http://127.0.0.1:8080/"), ("HF_TOKEN", "hf_abc"), ("HF_HOME", "/data/hf"),
            ("HF_HUB_CACHE", "/cache"), ("HF_HUB_OFFLINE", "yes"), ("HF_HUB_DOWNLOAD_TIMEOUT", "2.5"));

        settings.Should().Be(new HubSettings("http://127.0.0.1:8080", "hf_abc", "/cache", true, TimeSpan.FromSeconds(2.5)));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("ON", true)]
    [InlineData("true", true)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    public void Offline_takes_huggingface_hub_truthy_values(string value, bool offline)
    {
        From(("HF_HOME", "/h"), ("HF_HUB_OFFLINE", value)).Offline.Should().Be(offline);
    }

    [Fact]
    public void The_token_falls_back_to_the_legacy_variable_then_the_login_file()
    {
        using var home = new TempDirectory();
        File.WriteAllText(home.File("token"), "hf_from_file\n");

        From(("HF_HOME", home.Path)).Token.Should().Be("hf_from_file");
        From(("HF_HOME", home.Path), ("HUGGING_FACE_HUB_TOKEN", "hf_legacy")).Token.Should().Be("hf_legacy");
        From(("HF_HOME", home.Path), ("HF_TOKEN", "hf_new"), ("HUGGING_FACE_HUB_TOKEN", "hf_legacy")).Token.Should().Be("hf_new");
    }
}
