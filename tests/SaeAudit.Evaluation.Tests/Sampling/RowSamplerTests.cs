using System.Buffers.Binary;
using System.Text;
using SaeAudit.Evaluation.Sampling;
using SaeAudit.Models;
using SaeAudit.Models.Checkpoints;

namespace SaeAudit.Evaluation.Tests.Sampling;

/// <summary>Packing, selection and input errors on small hand-made datasets. The test encoder maps each character to
/// its code, so streams can be written down by hand; BOS = 1, EOS = 2.</summary>
public sealed class RowSamplerTests : IDisposable
{
    private const int Bos = 1, Eos = 2;

    private static readonly SpecialTokens Special = new(Bos, Eos);

    private readonly string _root = Directory.CreateTempSubdirectory("saeaudit-sampling-tests-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static int[] Chars(string text) => text.Select(c => (int)c).ToArray();

    private string Write(string name, string content) => WriteBytes(name, Encoding.UTF8.GetBytes(content));

    private string WriteBytes(string name, byte[] content)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private string WriteNpy(string name, int[] data, params int[] shape)
    {
        var path = Path.Combine(_root, name);
        NpyFile.WriteInt32(path, data, shape);
        return path;
    }

    /// <summary>A minimal safetensors file of I32 tensors (name → shape, data).</summary>
    private string WriteSafetensors(string name, params (string Name, string DType, int[] Shape, byte[] Data)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var (tensor, dtype, shape, data) in tensors)
        {
            if (header.Length > 1) header.Append(',');
            header.Append($"\"{tensor}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + data.Length}]}}");
            offset += data.Length;
        }
        header.Append('}');
        while (header.Length % 8 != 0) header.Append(' ');
        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        using var stream = new MemoryStream();
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
        stream.Write(length);
        stream.Write(headerBytes);
        foreach (var tensor in tensors) stream.Write(tensor.Data);
        return WriteBytes(name, stream.ToArray());
    }

    private static byte[] Int32Bytes(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    private static SampledRows Sample(string path, int context, long nTokens, bool shuffle = false, bool prependBos = true,
        string field = "text", ulong seed = 0, int? vocabSize = null) =>
        RowSampler.Sample(new SamplingOptions
        {
            DatasetPath = path,
            Field = field,
            ContextSize = context,
            NTokens = nTokens,
            Shuffle = shuffle,
            Seed = seed,
            PrependBos = prependBos,
            VocabSize = vocabSize,
        }, Chars, Special);

    private static int[][] Rows(SampledRows sample) =>
        Enumerable.Range(0, sample.RowCount).Select(r => sample.Row(r).ToArray()).ToArray();

    [Fact]
    public void Documents_are_joined_with_one_EOS_between_them_and_rows_get_a_BOS()
    {
        // Stream: a b 2 c 2 d e f (8 tokens) -> rows of 3 + BOS; the last 2 tokens are dropped.
        var path = Write("docs.jsonl", "{\"text\": \"ab\"}\n{\"text\": \"c\"}\n{\"text\": \"def\"}\n");

        var sample = Sample(path, context: 4, nTokens: 6);

        Rows(sample).Should().BeEquivalentTo(new[]
        {
            new[] { Bos, 'a', 'b', Eos },
            new[] { Bos, 'c', Eos, 'd' },
        }, o => o.WithStrictOrdering());
        sample.Dataset.Should().Be(new DatasetStats
        {
            Format = DatasetFormat.Jsonl, RowsAvailable = 2, RowWidth = 4, Documents = 3, StreamTokens = 8, DroppedTailTokens = 2,
        });
        sample.SourceRows.Should().Equal(0, 1);
    }

    [Fact]
    public void Without_BOS_rows_are_context_stream_tokens()
    {
        var path = Write("docs.jsonl", "{\"text\": \"ab\"}\n{\"text\": \"cdef\"}\n");

        var sample = Sample(path, context: 3, nTokens: 4, prependBos: false);

        Rows(sample).Should().BeEquivalentTo(new[]
        {
            new[] { 'a', 'b', Eos },
            new int[] { 'c', 'd', 'e' },
        }, o => o.WithStrictOrdering());
        sample.Dataset.DroppedTailTokens.Should().Be(1);
    }

    [Fact]
    public void Empty_documents_still_count_between_EOS_tokens()
    {
        var path = Write("docs.jsonl", "{\"text\": \"a\"}\n{\"text\": \"\"}\n{\"text\": \"b\"}\n");

        var sample = Sample(path, context: 5, nTokens: 4);

        Rows(sample).Should().BeEquivalentTo(new[] { new[] { Bos, 'a', Eos, Eos, 'b' } }, o => o.WithStrictOrdering());
        sample.Dataset.Documents.Should().Be(3);
    }

    [Fact]
    public void Rows_needed_is_the_ceiling_of_n_tokens_over_context_minus_one()
    {
        var path = WriteNpy("rows.npy", Enumerable.Range(0, 40).ToArray(), 10, 4);

        Sample(path, context: 4, nTokens: 3).RowCount.Should().Be(1);
        Sample(path, context: 4, nTokens: 4).RowCount.Should().Be(2);
        Sample(path, context: 4, nTokens: 30).RowCount.Should().Be(10);
    }

    [Fact]
    public void Pre_tokenized_rows_are_used_as_they_are_and_shuffled_with_the_seed()
    {
        var path = WriteNpy("rows.npy", Enumerable.Range(0, 40).ToArray(), 10, 4);

        var sample = Sample(path, context: 4, nTokens: 9, shuffle: true, seed: 0);

        // The seed-0 shuffle of 0..9 is 6, 3, 2, 9, 8, ... (SplitMix64Tests).
        sample.SourceRows.Should().Equal(6, 3, 2);
        Rows(sample).Should().BeEquivalentTo(new[]
        {
            new[] { 24, 25, 26, 27 },
            new[] { 12, 13, 14, 15 },
            new[] { 8, 9, 10, 11 },
        }, o => o.WithStrictOrdering());
        sample.Dataset.Kind.Should().Be("pretokenized");
    }

    [Fact]
    public void Batches_cover_the_rows_in_order_with_a_smaller_last_batch()
    {
        var path = WriteNpy("rows.npy", Enumerable.Range(0, 40).ToArray(), 10, 4);
        var sample = Sample(path, context: 4, nTokens: 15);

        var batches = sample.Batches(2).ToList();

        batches.Select(b => b.Batch).Should().Equal(2, 2, 1);
        batches.SelectMany(b => b.Ids).Should().Equal(Enumerable.Range(0, 20));
        batches.Should().OnlyContain(b => b.Sequence == 4);
        var act = () => sample.Batches(0);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Safetensors_datasets_use_the_single_integer_tensor_or_input_ids()
    {
        var single = WriteSafetensors("single.safetensors", ("ids", "I32", [2, 3], Int32Bytes(1, 2, 3, 4, 5, 6)));
        var named = WriteSafetensors("named.safetensors",
            ("attention_mask", "I32", [2, 3], Int32Bytes(1, 1, 1, 1, 1, 1)),
            ("input_ids", "I32", [2, 3], Int32Bytes(7, 8, 9, 10, 11, 12)));

        Sample(single, context: 3, nTokens: 4).Tokens.ToArray().Should().Equal(1, 2, 3, 4, 5, 6);
        Sample(named, context: 3, nTokens: 4).Tokens.ToArray().Should().Equal(7, 8, 9, 10, 11, 12);
    }

    [Fact]
    public void Txt_documents_are_blocks_separated_by_blank_lines()
    {
        var path = Write("docs.txt", "\uFEFF\n  \nfirst line\r\n  second line \n\n\n \t \nthird\n\n");

        TextDocuments.ReadTxt(path).Should().Equal("first line\n  second line ", "third");
    }

    [Fact]
    public void Txt_without_a_final_newline_keeps_its_last_document()
    {
        TextDocuments.ReadTxt(Write("docs.txt", "one\n\ntwo")).Should().Equal("one", "two");
    }

    [Fact]
    public void Jsonl_skips_blank_lines_and_reads_the_chosen_field()
    {
        var path = Write("docs.jsonl", "{\"body\": \"x\\ny\", \"text\": 3}\r\n\n   \n{\"body\": \"é\"}");

        TextDocuments.ReadJsonl(path, "body").Should().Equal("x\ny", "é");
    }

    [Fact]
    public void Malformed_jsonl_line_names_the_file_and_line()
    {
        var path = Write("bad.jsonl", "{\"text\": \"a\"}\n\n{\"text\": \"b\"\n");

        var act = () => Sample(path, context: 4, nTokens: 1);

        act.Should().Throw<InvalidInputException>().WithMessage($"{path}: line 3: not valid JSON*");
    }

    [Theory]
    [InlineData("{\"body\": \"a\"}", "line 1: field 'text': missing")]
    [InlineData("{\"text\": 5}", "line 1: field 'text': expected a string, got a JSON number")]
    [InlineData("{\"text\": null}", "line 1: field 'text': expected a string, got a JSON null")]
    [InlineData("[\"text\"]", "line 1: expected a JSON object with a string field 'text', got a JSON array")]
    [InlineData("{\"text\": \"\\ud800\"}", "line 1: field 'text': not valid text*")]
    public void Jsonl_field_problems_name_the_file_line_and_field(string line, string message)
    {
        var path = Write("bad.jsonl", line + "\n");

        var act = () => Sample(path, context: 4, nTokens: 1);

        act.Should().Throw<InvalidInputException>().WithMessage($"{path}: {message}");
    }

    [Fact]
    public void Non_UTF8_bytes_name_the_file_line_and_byte_offset()
    {
        // Line 2 starts at byte 14; the bad byte 0xFF follows 11 bytes of it: offset 25.
        var bytes = Encoding.UTF8.GetBytes("{\"text\": \"a\"}\n{\"text\": \"b").Concat(new byte[] { 0xFF }).Concat(Encoding.UTF8.GetBytes("\"}\n")).ToArray();
        var path = WriteBytes("bad.jsonl", bytes);

        var act = () => Sample(path, context: 4, nTokens: 1);

        act.Should().Throw<InvalidInputException>().WithMessage($"{path}: line 2: invalid UTF-8 at byte offset 25 (bytes FF)*");
    }

    [Fact]
    public void Non_UTF8_txt_is_rejected_too()
    {
        var path = WriteBytes("bad.txt", [(byte)'o', (byte)'k', (byte)'\n', 0xC3, 0x28]);

        var act = () => TextDocuments.ReadTxt(path).ToList();

        act.Should().Throw<InvalidInputException>().WithMessage($"{path}: line 2: invalid UTF-8 at byte offset 3*");
    }

    [Fact]
    public void Too_few_rows_names_the_dataset_and_both_counts()
    {
        var path = WriteNpy("rows.npy", Enumerable.Range(0, 12).ToArray(), 3, 4);

        var act = () => Sample(path, context: 4, nTokens: 10);

        act.Should().Throw<InvalidInputException>()
            .WithMessage($"{path}: too few rows: it has 3 rows of 4 tokens, but n_tokens = 10 needs 4 rows*");
    }

    [Fact]
    public void Too_few_rows_of_text_explains_the_packing()
    {
        var path = Write("docs.jsonl", "{\"text\": \"abcdef\"}\n");

        var act = () => Sample(path, context: 4, nTokens: 7);

        act.Should().Throw<InvalidInputException>()
            .WithMessage($"{path}: too few rows: the 6-token stream of its 1 documents packs into 2 rows of 4 tokens, but n_tokens = 7 needs 3 rows*");
    }

    [Fact]
    public void Float_npy_is_rejected()
    {
        var path = Path.Combine(_root, "floats.npy");
        NpyFile.WriteFloat32(path, new float[8], [2, 4]);

        var act = () => Sample(path, context: 4, nTokens: 1);

        act.Should().Throw<InvalidInputException>().WithMessage($"{path}: descr: array is <f4, expected an integer array*");
    }

    [Fact]
    public void Row_width_must_equal_context_size()
    {
        var path = WriteNpy("rows.npy", new int[16], 2, 8);

        var act = () => Sample(path, context: 4, nTokens: 1);

        act.Should().Throw<InvalidInputException>().WithMessage($"{path}: shape: rows are 8 tokens wide but context_size is 4*");
    }

    [Fact]
    public void Pre_tokenized_arrays_must_be_2D()
    {
        var path = WriteNpy("flat.npy", new int[16], 16);

        var act = () => Sample(path, context: 4, nTokens: 1);

        act.Should().Throw<InvalidInputException>().WithMessage($"{path}: shape: shape [16]: expected a non-empty 2-D array*");
    }

    [Fact]
    public void Negative_token_ids_are_rejected()
    {
        var path = WriteNpy("rows.npy", [1, 2, 3, 4, 5, -6, 7, 8], 2, 4);

        var act = () => Sample(path, context: 4, nTokens: 1);

        act.Should().Throw<InvalidInputException>().WithMessage($"{path}: shape: row 1, column 1: token id -6 is negative");
    }

    [Fact]
    public void Token_ids_outside_the_vocabulary_are_rejected()
    {
        var path = WriteNpy("rows.npy", [1, 2, 3, 4, 5, 6, 700, 8], 2, 4);

        var act = () => Sample(path, context: 4, nTokens: 6, vocabSize: 100);

        act.Should().Throw<InvalidInputException>()
            .WithMessage($"{path}: row 1: token id 700 at position 2 is outside the model's vocabulary (size 100)");
    }

    [Fact]
    public void Safetensors_without_an_identifiable_token_tensor_is_rejected()
    {
        var path = WriteSafetensors("two.safetensors",
            ("a", "I32", [1, 2], Int32Bytes(1, 2)),
            ("b", "I32", [1, 2], Int32Bytes(3, 4)));

        var act = () => Sample(path, context: 2, nTokens: 1);

        act.Should().Throw<InvalidInputException>().WithMessage($"{path}: cannot tell which tensor holds the token ids*");
    }

    [Fact]
    public void Float_safetensors_is_rejected()
    {
        var path = WriteSafetensors("floats.safetensors", ("input_ids", "F32", [1, 2], new byte[8]));

        var act = () => Sample(path, context: 2, nTokens: 1);

        act.Should().Throw<InvalidInputException>().WithMessage($"{path}: tensor 'input_ids': dtype F32 is not an integer type*");
    }

    [Fact]
    public void Unknown_extensions_and_missing_files_are_input_errors()
    {
        var csv = Write("data.csv", "a,b\n");
        var missing = Path.Combine(_root, "missing.jsonl");

        var unknown = () => Sample(csv, context: 4, nTokens: 1);
        var absent = () => Sample(missing, context: 4, nTokens: 1);

        unknown.Should().Throw<InvalidInputException>().WithMessage($"{csv}: unsupported dataset format '.csv'*");
        absent.Should().Throw<InvalidInputException>().WithMessage($"{missing}: dataset file not found");
    }
}
