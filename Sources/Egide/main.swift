import App
import EgideBench
import EgideDemo

await EgideMain.run(extraCommands: ["demo": DemoCommand(), "bench": BenchCommand()])
