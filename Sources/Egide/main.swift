import App

await EgideMain.run()
