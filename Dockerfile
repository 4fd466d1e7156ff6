# Builds the concentrator daemon into a small runtime image.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Concentrator/Concentrator.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["dotnet", "/app/concentrator.dll"]
CMD ["serve", "--config", "/etc/concentrator/concentrator.conf"]
