/**
 * Typed errors. Lower layers throw these (or translate driver errors into them at the boundary);
 * http/error-handler.ts renders them once as { error: { code, message, details } }.
 */
export enum ErrorCode {
  BadRequest = 'bad_request',
  ValidationFailed = 'validation_failed',
  MalformedJson = 'malformed_json',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  MethodNotAllowed = 'method_not_allowed',
  Conflict = 'conflict',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  Unavailable = 'unavailable',
  Internal = 'internal',
}

export type IssueDetail = { path: string; message: string };

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details?: unknown, code: ErrorCode = ErrorCode.BadRequest) {
    super(400, code, message, details);
  }
}
export class ValidationError extends AppError {
  constructor(issues: IssueDetail[], message = '请求参数有误 Request validation failed') {
    super(400, ErrorCode.ValidationFailed, message, issues);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = '请先登录（需要有效的 Bearer 令牌）A valid Bearer token is required') {
    super(401, ErrorCode.Unauthenticated, message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = '您的角色无权执行此操作 Your role may not do this') {
    super(403, ErrorCode.Forbidden, message);
  }
}
/** Also used for records outside the caller's tenant or store, so their existence is not revealed. */
/** What a 404 names, in zh-CN (the English name follows in the message). */
const RESOURCE_NAMES: Readonly<Record<string, string>> = {
  contact: '客户', staff: '员工', 'content template': '内容模板', 'content version': '内容版本', task: '任务', tag: '标签',
  'tag group': '标签组', lead: '线索', corp: '企业', store: '门店', 'live code': '渠道活码', 'knowledge entry': '知识条目',
  'knowledge version': '知识版本', 'channel account': '渠道账号', campaign: '加粉活动', touch: '触达', token: '令牌',
  'store code near you': '附近门店的二维码', 'saved filter': '人群包', 'kf session': '客服会话', 'kf review item': '待审问题',
  handover: '继承任务', group: '客户群', 'greeting experiment of campaign': '活动的问候语实验', experiment: '实验', sop: 'SOP',
  ticket: '工单',
};

export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    const zh = RESOURCE_NAMES[what] ?? what;
    super(404, ErrorCode.NotFound, id ? `未找到${zh} ${id} ${what} ${id} not found` : `未找到${zh} ${what} not found`);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super(409, ErrorCode.Conflict, message, details);
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(413, ErrorCode.PayloadTooLarge, `请求内容过大（超过 ${limit} 字节）request body exceeds ${limit} bytes`);
  }
}
export class UnsupportedMediaTypeError extends AppError {
  constructor(expected: string) {
    super(415, ErrorCode.UnsupportedMediaType, `请求格式不支持，需要 ${expected} expected a ${expected} body`);
  }
}
export class UnavailableError extends AppError {
  constructor(message: string) {
    super(503, ErrorCode.Unavailable, message);
  }
}

/** MongoDB duplicate-key error, as the driver reports it. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
