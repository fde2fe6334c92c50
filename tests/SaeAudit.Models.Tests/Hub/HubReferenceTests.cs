using SaeAudit.Models.Hub;
using SaeAudit.Models.Tests.Checkpoints;

namespace SaeAudit.Models.Tests.Hub;

public class HubReferenceTests
{
    [Theory]
    [InlineData("hf:openai-community/gpt2", "openai-community/gpt2", "main", null)]
    [InlineData("hf:EleutherAI/pythia-70m@v0.1", "EleutherAI/pythia-70m", "v0.1", null)]
    [InlineData("hf:google/gemma-scope-2b-pt-res/layer_12/width_16k/average_l0_82", "google/gemma-scope-2b-pt-res", "main", "layer_12/width_16k/average_l0_82")]
    [InlineData("hf:jbloom/GPT2-Small-SAEs-Reformatted@main/blocks.6.hook_resid_pre", "jbloom/GPT2-Small-SAEs-Reformatted", "main", "blocks.6.hook_resid_pre")]
    [InlineData("hf:acme/model@refs%2Fpr%2F1", "acme/model", "refs/pr/1", null)]
    [InlineData("hf:acme/model@0123456789abcdef0123456789abcdef01234567/sae", "acme/model", "0123456789abcdef0123456789abcdef01234567", "sae")]
    public void Parses_repository_revision_and_folder(string text, string repo, string revision, string? subfolder)
    {
        var reference = HubReference.Parse(text);

        reference.Should().Be(new HubReference(text, repo, revision, subfolder));
    }

    [Fact]
    public void Names_the_cache_folder_and_repository_paths()
    {
        var reference = HubReference.Parse("hf:google/gemma-scope-2b-pt-res/layer_12");

        reference.CacheFolderName.Should().Be("models--google--gemma-scope-2b-pt-res");
        reference.UrlPath.Should().Be("google/gemma-scope-2b-pt-res");
        reference.InRepo("params.npz").Should().Be("layer_12/params.npz");
    }

    [Fact]
    public void A_datasets_prefix_names_a_dataset_repository_and_the_path_its_file()
    {
        var reference = HubReference.Parse("hf:datasets/NeelNanda/pile-10k@v1/data/train.jsonl");

        reference.Should().Be(new HubReference("hf:datasets/NeelNanda/pile-10k@v1/data/train.jsonl", "NeelNanda/pile-10k", "v1",
            "data/train.jsonl", HubRepoKind.Dataset));
        reference.CacheFolderName.Should().Be("datasets--NeelNanda--pile-10k");
        reference.UrlPath.Should().Be("datasets/NeelNanda/pile-10k");
    }

    [Theory]
    [InlineData("hf:", "needs a repository id")]
    [InlineData("hf:gpt2", "needs a repository id")]
    [InlineData("hf:acme/", "needs a repository id")]
    [InlineData("hf:acme/tiny--lm", "is not a valid repository owner or name")]
    [InlineData("hf:acme/-lm", "is not a valid repository owner or name")]
    [InlineData("hf:acme/lm@", "is not a valid revision")]
    [InlineData("hf:acme/lm@refs%2F..%2Fx", "is not a valid revision")]
    [InlineData("hf:acme/lm/../x", "the path must be")]
    [InlineData("hf:acme/lm//x", "the path must be")]
    [InlineData("hf:acme/lm/x@v1", "the path must be")]
    [InlineData("hf:spaces/acme/demo", "spaces are not supported")]
    [InlineData("hf:datasets/acme", "needs a repository id")]
    public void Rejects_malformed_references(string text, string problem)
    {
        TestFiles.ShouldFailWith(() => _ = HubReference.Parse(text), text, problem, HubReference.Syntax);
    }
}
