/**
 * `siyu setup`: the first run on an empty (production) database. Creates the corp, its first stores, the first HQ
 * token, and the channel accounts the environment names (WECOM_*, OA_*, WECHATY_*). Idempotent: a second run
 * changes nothing and says so; it never shows an existing token again (tokens are stored hashed) but issues
 * another with `--new-token`.
 *
 *   siyu setup --corp-name 某某乳业 --store code=SH01,name=上海一店,city=上海,region=华东 [--store …]
 *   siyu setup --file setup.yaml            # { corp: { corpId, name, timezone }, stores: [ … ] } (JSON or YAML)
 *
 * `--corp-id` defaults to WECOM_CORP_ID. Progress and logs go to stderr; stdout gets the summary (one JSON line
 * with `--json`). Exit codes: 0 done (also when nothing changed), 1 failure, 2 invalid input.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { openServices } from '../boot.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { parseStoreFlag, runSetup, setupSchema, type SetupResult, type SetupSpec } from '../setup/index.ts';
import { setupDepsOf } from './cli-context.ts';

type SetupOptions = { corpId?: string; corpName?: string; timezone?: string; store: string[]; file?: string; newToken?: boolean; tokenName?: string; json?: boolean };

class InvalidInput extends Error {}

export function registerSetupCommands(program: Command): void {
  program
    .command('setup')
    .description('初始化企业 first run: the corp, its first stores, the first HQ token, channel accounts from the environment')
    .option('--corp-id <id>', '企业 ID WeCom corp id (default: WECOM_CORP_ID)')
    .option('--corp-name <name>', '企业名称 corp name (required to create the corp)')
    .option('--timezone <tz>', '企业时区 the corp time zone (default: Asia/Shanghai)')
    .option('--store <spec>', '门店 a store: code=…,name=…,city=…,region=…[,timezone=…][,address=…] (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--file <path>', '配置文件 a JSON or YAML file: { corp: { corpId, name, timezone }, stores: [ … ] }')
    .option('--new-token', '再签发一个总部令牌 issue another HQ token although the corp has one')
    .option('--token-name <name>', '令牌名称 name of the issued HQ token (default: setup)')
    .option('--json', '只输出一行 JSON print one JSON summary line')
    .action(async (opts: SetupOptions, cmd: Command) => {
      const invalid = (message: string): never => cmd.error(`错误 error: ${message}`, { exitCode: 2, code: 'siyu.invalidInput' });
      let config: Config;
      let spec: SetupSpec;
      try {
        config = loadConfig();
        spec = await buildSpec(opts, config);
      } catch (err) {
        if (err instanceof ConfigError || err instanceof InvalidInput) return invalid(err.message);
        throw err;
      }
      if (config.db.uri && config.demo.enabled) {
        process.stderr.write('警告 warning: SIYU_DEMO 未设为 false：生产环境请关闭演示模式 SIYU_DEMO is not false: turn the demo off in production\n');
      }
      const logger = pino({ level: config.logLevel }, pino.destination({ fd: 2, sync: true }));
      let result: SetupResult;
      try {
        const opened = await openServices(config, { logger });
        try {
          result = await runSetup(setupDepsOf(opened.services), spec);
        } finally {
          await opened.close();
        }
      } catch (err) {
        if (err instanceof ConfigError || (err instanceof AppError && err.status < 500)) return invalid(err.message);
        process.exitCode = 1;
        process.stderr.write(`错误 error: setup failed: ${(err as Error).message}\n`);
        return;
      }
      console.log(opts.json ? JSON.stringify(result) : describe(result));
    });
}

async function buildSpec(opts: SetupOptions, config: Config): Promise<SetupSpec> {
  let file: { corp?: Record<string, unknown>; stores?: unknown[] } & Record<string, unknown> = {};
  if (opts.file) {
    let text: string;
    try {
      text = await readFile(opts.file, 'utf8');
    } catch (err) {
      throw new InvalidInput(`无法读取 cannot read ${opts.file}: ${(err as Error).message}`);
    }
    try {
      file = (parseYaml(text) ?? {}) as typeof file;
    } catch (err) {
      throw new InvalidInput(`${opts.file} 不是有效的 JSON/YAML is not valid JSON or YAML: ${(err as Error).message}`);
    }
    if (typeof file !== 'object' || Array.isArray(file)) throw new InvalidInput(`${opts.file}: expected an object { corp, stores }`);
  }
  const wecomCorpId = config.channels.wecom?.corpId;
  const corpId = opts.corpId ?? (file.corp?.corpId as string | undefined) ?? wecomCorpId;
  if (!corpId) throw new InvalidInput('需要企业 ID：--corp-id 或 WECOM_CORP_ID A corp id is needed: --corp-id or WECOM_CORP_ID');
  if (wecomCorpId && corpId !== wecomCorpId) {
    throw new InvalidInput(`企业 ID ${corpId} 与 WECOM_CORP_ID ${wecomCorpId} 不一致 The corp id ${corpId} differs from WECOM_CORP_ID ${wecomCorpId}`);
  }
  let flagStores: Record<string, string>[];
  try {
    flagStores = opts.store.map(parseStoreFlag);
  } catch (err) {
    throw new InvalidInput((err as Error).message);
  }
  const candidate = {
    ...file,
    corp: { ...file.corp, corpId, ...(opts.corpName ? { name: opts.corpName } : {}), ...(opts.timezone ? { timezone: opts.timezone } : {}) },
    stores: [...(file.stores ?? []), ...flagStores],
    ...(opts.newToken ? { newToken: true } : {}),
    ...(opts.tokenName ? { tokenName: opts.tokenName } : {}),
  };
  const parsed = setupSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new InvalidInput(`无效的设置 invalid setup:\n${parsed.error.issues.map((i) => `  ${i.path.join('.') || '(setup)'}: ${i.message}`).join('\n')}`);
  }
  return parsed.data;
}

const STATUS: Record<string, string> = { created: '已创建 created', exists: '已存在 exists', updated: '已更新 updated', unchanged: '未变 unchanged' };

function describe(r: SetupResult): string {
  const lines = [`企业 corp ${r.corp.corpId} ${r.corp.name} (${r.corp.timezone}): ${STATUS[r.corp.status]}`];
  for (const s of r.stores) lines.push(`门店 store ${s.code} ${s.name}: ${STATUS[s.status]} (id ${s.id})`);
  if (r.hqToken.status === 'issued') {
    lines.push(`总部令牌 HQ token (id ${r.hqToken.id}): ${r.hqToken.token}`, '  只显示这一次，请立即妥善保存 shown this once: store it now');
  } else {
    lines.push('总部令牌 HQ token: 已存在，不再显示（令牌只存哈希）；--new-token 可再签发一个 exists and is not shown again (stored hashed); --new-token issues another');
  }
  for (const a of r.accounts) lines.push(`渠道账号 channel account ${a.kind} ${a.name}: ${STATUS[a.status]} (id ${a.id})`);
  if (r.accountsSkipped) lines.push(`渠道账号 channel accounts: 未应用 not applied: ${r.accountsSkipped}`);
  lines.push(r.changed ? '完成 done.' : '无变化：一切已就绪 Nothing changed: everything was in place.');
  return lines.join('\n');
}
