/** `npm start`: boots every role in this process (or those in SIYU_ROLES) and stops cleanly on SIGTERM / SIGINT. */
import { boot } from './boot.ts';
import { ConfigError, loadConfig } from './config.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}

const running = await boot(config);
if (running.url) {
  const lines = [
    '',
    `私域 Siyu is running — ${running.url}`,
    `  健康检查 health:    ${running.url}/healthz`,
    `  接口文档 OpenAPI:   ${running.url}/openapi.json`,
    `  指标 metrics:       ${running.url}/metrics`,
    `  客户 contacts API:  ${running.url}/api/contacts`,
  ];
  if (running.adminToken && !config.security.adminToken) lines.push(`  演示管理员令牌 demo admin token: ${running.adminToken}`, `  try: curl -H "Authorization: Bearer ${running.adminToken}" ${running.url}/api/stores`);
  console.log(lines.join('\n') + '\n');
}

let signals = 0;
const hardDeadlineMs = 2 * config.shutdownTimeoutMs + 5_000;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (++signals > 1) process.exit(1); // a second signal means "now"
    // stop() bounds each part by the shutdown timeout; this is the guard for a part that ignores its bound.
    setTimeout(() => {
      console.error(`关停超时 Shutdown did not finish within ${hardDeadlineMs} ms; still running: ${running.stillStopping().join(', ') || 'nothing (stuck after the last part)'}`);
      process.exit(1);
    }, hardDeadlineMs);
    running.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
