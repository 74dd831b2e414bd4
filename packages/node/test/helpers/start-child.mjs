// Run in a fresh process by the configuration tests: imports the BUILT
// package (what a user meets), calls start() with no options, so that only
// the real process environment configures it, and prints one JSON line.
const { start, ConfigurationError } = await import(new URL('../../dist/index.js', import.meta.url).href);

try {
  const handle = await start();
  let targetInfo;
  if (handle.metricsUrl !== undefined) {
    const body = await (await fetch(handle.metricsUrl)).text();
    targetInfo = body.split('\n').find((line) => line.startsWith('target_info{'));
  }
  await handle.shutdown();
  console.log(JSON.stringify({ ok: true, exporters: handle.exporters, targetInfo }));
} catch (err) {
  console.log(
    JSON.stringify({
      ok: false,
      configurationError: err instanceof ConfigurationError,
      name: err?.name,
      variable: err?.variable,
      option: err?.option,
      accepted: err?.accepted,
      related: err?.related,
      message: String(err?.message),
    }),
  );
}
