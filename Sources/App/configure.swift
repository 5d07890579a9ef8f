import EgideCore
import Fluent
import Leaf
import LeafKit
import NIOConcurrencyHelpers
import Vapor

/// Wires the application from an already validated configuration. Opens no database connection.
public func configure(_ app: Application, _ config: AppConfig, postgresSearchPath: [String]? = nil) throws {
    app.egideConfig = config
    app.directory = DirectoryConfiguration(workingDirectory: config.resourcesDirectory + "/")
    app.logger.logLevel = config.logLevel
    app.http.server.configuration.serverName = nil
    // gzip for text (HTML, CSS, JSON) when the client accepts it: the public alert form drops from
    // ~33 KB to ~9 KB, which matters on a 2G line. Safe against BREACH-style guessing because the
    // session cookie is SameSite=Strict, so no other site can make a signed-in page reflect its
    // input; docs/SECURITY.md ("Compression").
    app.http.server.configuration.responseCompression = .enabledForCompressibleTypes
    // A connection silent for 75 s is closed: a stalled client cannot hold one forever. Longer
    // than nginx's upstream keep-alive (60 s), so the proxy never reuses a connection closed here.
    app.http.server.configuration.idleTimeout = .seconds(75)
    // `serve` listens with the front door, which answers kept public pages itself and hands every
    // other connection to Vapor's server on loopback (Sources/App/FrontDoor).
    if config.frontDoor {
        let server = FrontDoorServer(app: app)
        app.servers.use { _ in server }  // Vapor asks for the server more than once: always this one
    }

    try DatabaseSetup.register(config.database, on: app, searchPath: postgresSearchPath)
    app.migrations.add(Migrations.all)
    app.clock = EgideClock()
    app.vault = Vault()
    AuditChainState.prepare(app)
    app.configureWrites()
    app.throttleKey = .init(nil)
    app.alertCategories = CategoryCache()
    app.sharedPages = SharedPages()
    app.healthLastAnswer = HealthController.LastAnswer()
    app.publicWorkGate = PublicWorkGate(limit: config.publicWorkLimit)
    app.intakeWriter = IntakeWriter()
    app.passwordService = try PasswordService(resources: config.resourcesDirectory, logN: config.scryptLogN)

    app.catalogue = try Catalogue.load(fromResources: config.resourcesDirectory)
    app.appealTemplates = try AppealTemplates.load(fromResources: config.resourcesDirectory)
    app.leaf.tags["t"] = TranslateTag(catalogue: app.catalogue)
    // Templates are read once whatever the environment: a deployment that follows the README
    // (no `--env production`) must not parse them from disk on every page (docs/DEVELOPMENT.md).
    // Leaf's own provider (`views.use(.leaf)`) switches the shared cache off each time it makes a
    // renderer in the development environment — so every signed-in page was read and parsed from
    // disk on every request whatever this line said. This provider leaves the cache as set here.
    app.leaf.cache.isEnabled = !config.reloadTemplates
    // The renderer is made for every page: what it is made of is read once here (left unset, Leaf's
    // `sources` makes a new file reader on each read — 1 % of a list page's processor time). Tags
    // are registered above, before this line: one registered later would not be seen.
    app.leaf.sources = app.leaf.sources
    let configuration = app.leaf.configuration, tags = app.leaf.tags, sources = app.leaf.sources, cache = app.leaf.cache
    app.views.use { app in
        var userInfo = app.leaf.userInfo
        userInfo["application"] = app
        return LeafRenderer(configuration: configuration, tags: tags, cache: cache, sources: sources, eventLoop: app.eventLoopGroup.next(), userInfo: userInfo)
    }
    app.staticFiles = try StaticFiles(publicDirectory: app.directory.publicDirectory)

    // Outermost first: headers reach every response, errors are rendered in the user's language.
    app.middleware = Middlewares()
    app.middleware.use(SecurityHeadersMiddleware())
    // Method and route pattern only, at debug level: never paths, bodies or addresses (docs/SECURITY.md).
    app.middleware.use(RouteLogger())
    app.middleware.use(LanguageMiddleware())
    app.middleware.use(ErrorPresenter())
    app.middleware.use(StaticFilesMiddleware())
    app.middleware.use(SealedGate())
    // Before the CSRF check reads a body: a refused flood costs no upload.
    app.middleware.use(PublicWorkMiddleware())
    app.middleware.use(CSRFMiddleware())
    app.middleware.use(SessionAuthenticator())
    // Innermost: a request that met a key made on another node a moment ago is answered again.
    app.middleware.use(KeyRefreshMiddleware())

    try routes(app)
    app.asyncCommands.use(DoctorCommand(), as: "doctor")
    app.asyncCommands.use(OrgCommands(), as: "org")
    app.asyncCommands.use(UserCommands(), as: "user")
    app.asyncCommands.use(TokenCommands(), as: "token")
    app.asyncCommands.use(KeysCommands(), as: "keys")
    app.asyncCommands.use(LinkageCommands(), as: "linkage")
    registerProtectionCommands(app)
}
