using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Concentrator.Testing")]
[assembly: InternalsVisibleTo("Concentrator.Devices.Tests")]
[assembly: InternalsVisibleTo("Concentrator.Client")]
