using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace Concentrator.Cluster.Serialization;

/// <summary>
/// The wire format of every message our nodes exchange (lease requests and answers, port snapshots, the inventory
/// entries inside DistributedData): System.Text.Json, the type's name as the manifest. Akka's default JSON
/// serializer writes runtime type names, and our records hold lists made by collection expressions whose runtime
/// types are compiler-generated and cannot be constructed on the other side. Only types of our own assemblies are
/// ever instantiated from a manifest: a peer cannot make this node create anything else.
/// </summary>
public sealed class ClusterMessageSerializer : SerializerWithStringManifest
{
    /// <summary>Unique among the serializers of the cluster actor system (Akka's own use ids below 100).</summary>
    public const int Id = 7717;

    private readonly JsonSerializerOptions _options;

    public ClusterMessageSerializer(ExtendedActorSystem system) : base(system)
    {
        _options = new JsonSerializerOptions
        {
            IncludeFields = false,
            Converters = { new ActorRefConverter(system), new TypedValueConverterFactory() },
        };
    }

    public override string Manifest(object o) => ManifestOf(o.GetType());

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        JsonSerializer.Deserialize(bytes, TypeOf(manifest), _options) ?? throw new JsonException($"null {manifest}");

    internal static string ManifestOf(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    /// <summary>Our types only (Concentrator.* assemblies); anything else in a manifest is refused.</summary>
    internal static Type TypeOf(string manifest)
    {
        var comma = manifest.LastIndexOf(',');
        var assembly = comma < 0 ? "" : manifest[(comma + 1)..].Trim();
        if (!assembly.StartsWith("Concentrator.", StringComparison.Ordinal) || Type.GetType(manifest, throwOnError: false) is not { } type)
        {
            throw new JsonException($"refusing to deserialize '{manifest}': not one of Concentrator's message types");
        }

        return type;
    }

    /// <summary>Actor references travel as their full path and are resolved by this system's provider.</summary>
    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override IActorRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() is { Length: > 0 } path ? system.Provider.ResolveActorRef(path) : ActorRefs.Nobody;

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
    }

    /// <summary>
    /// Members declared as <c>object</c> or an abstract record (a <c>LeaseAnswer</c>) carry their runtime type:
    /// <c>{"type": manifest, "value": {...}}</c>, read back through the same allow-list.
    /// </summary>
    private sealed class TypedValueConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert == typeof(object) || (typeToConvert.IsAbstract && !typeToConvert.IsInterface && typeToConvert != typeof(Array));

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(TypedValueConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class TypedValueConverter<T> : JsonConverter<T> where T : class
    {
        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            var type = TypeOf(document.RootElement.GetProperty("type").GetString() ?? "");
            if (!typeToConvert.IsAssignableFrom(type))
            {
                throw new JsonException($"{type.Name} is not a {typeToConvert.Name}");
            }

            return (T?)document.RootElement.GetProperty("value").Deserialize(type, options);
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("type", ManifestOf(value.GetType()));
            writer.WritePropertyName("value");
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
            writer.WriteEndObject();
        }
    }
}
