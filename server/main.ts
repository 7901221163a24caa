/** `npm start`: boots every role in this process (or those in SIYU_ROLES) and stops cleanly on SIGTERM / SIGINT. */
import { createServer } from 'node:net';
import { boot, type Running } from './boot.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { DevDatabaseError } from './db/dev-database.ts';

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

let running: Running;
try {
  // A busy port is found before boot touches anything: a second `npm start` on a shared data dir would otherwise
  // seed, publish and point the default WeCom account at its own demo simulator, then die on listen.
  if (config.roles.includes('http') && config.http.port !== 0) await probePort(config.http.port, config.http.host);
  running = await boot(config);
} catch (err) {
  const line = startFailure(err, config);
  if (!line) throw err;
  console.error(line);
  process.exit(1);
}
if (running.url) {
  const lines = [
    '',
    `私域 Siyu is running — ${running.url}`,
    `  健康检查 health:    ${running.url}/healthz`,
    `  接口文档 OpenAPI:   ${running.url}/openapi.json`,
    `  指标 metrics:       ${running.url}/metrics`,
    `  客户 contacts API:  ${running.url}/api/contacts`,
    `  总部控制台 console: ${running.url}/hq`,
    `  员工手机端 staff:   ${running.url}/m`,
    `  A/B 实验 experiments: ${running.url}/experiments`,
    `  聊天工具栏 sidebar: ${running.url}/sidebar`,
    `  客服工作台 service desk: ${running.url}/service`,
    `  知识库 knowledge base: ${running.url}/hq/knowledge`,
  ];
  if (running.adminToken && !config.security.adminToken) lines.push(`  演示管理员令牌 demo admin token: ${running.adminToken}`, `  打开控制台 open the console: ${running.url}/hq#token=${running.adminToken}`, `  try: curl -H "Authorization: Bearer ${running.adminToken}" ${running.url}/api/stores`);
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

async function probePort(port: number, host: string): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** A start that collided with something the user can fix, as one line (zh-CN first) instead of a stack trace. */
function startFailure(err: unknown, config: Config): string | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return `启动失败：端口 ${config.http.port} 已被占用（另一个 Siyu 或其他程序）Cannot start: port ${config.http.port} is already in use (another Siyu or another program); stop it or set PORT`;
  }
  if (code === 'EACCES' && (err as { syscall?: string }).syscall === 'listen') return `启动失败：无权监听端口 ${config.http.port} Cannot start: no permission to listen on port ${config.http.port}; set PORT`;
  if (err instanceof DevDatabaseError) return `启动失败 Cannot start: ${err.message}`;
  return undefined;
}
