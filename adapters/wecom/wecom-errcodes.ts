/**
 * What a WeCom (企业微信) or official-account (公众号) errcode means to the person reading it, in zh-CN, and what
 * to do about it. Vendor knowledge, so it lives with the adapters; the core reaches it through adapters/registry.ts.
 * Every code the clients classify and the simulators answer has an entry (wecom-errcodes.spec.ts checks that), so a
 * page or the CLI never shows a bare number. Sources: the global errcode tables of both platforms
 * (developer.work.weixin.qq.com/document/path/90313, developers.weixin.qq.com … Global_Return_Code) as summarized
 * in wecom-protocol.md §4 and §5, and the reasons the simulators give.
 */

export type VendorErrcodeEntry = {
  /** What happened, in words a store manager understands. */
  readonly zh: string;
  /** What to do about it. */
  readonly todo: string;
  /** Who the reader should blame, when not the platform's refusal (a call that never got an answer). */
  readonly who?: string;
};

/** Which platform refused: the message names it (企业微信拒绝 / 公众号拒绝). */
export type VendorPlatform = 'wecom' | 'official_account';

const RETRY = '系统会自动重试，稍后再看结果';
const ADMIN = '请管理员在企业微信管理后台检查应用配置';

export const VENDOR_ERRCODES: Readonly<Record<string, VendorErrcodeEntry>> = {
  '-1': { zh: '平台系统繁忙', todo: RETRY },
  '6000': { zh: '数据版本冲突（同一数据被同时修改）', todo: RETRY },
  '40001': { zh: '应用 Secret 不正确或已重置', todo: '请管理员在「渠道账号」中重新填写 Secret' },
  '40002': { zh: '凭证类型不正确', todo: '请管理员检查公众号的 AppID 与 AppSecret' },
  '40003': { zh: '成员或用户 ID 无效（可能已离职、已取关或 ID 有误）', todo: '请同步通讯录后确认该成员或用户仍然存在' },
  '40008': { zh: '消息类型不受支持', todo: '请换用文本、图片、链接或小程序等支持的消息类型' },
  '40013': { zh: '企业 ID 或 AppID 不正确', todo: '请管理员在「渠道账号」中核对企业 ID / AppID' },
  '40014': { zh: '访问令牌无效', todo: '系统会自动重新获取令牌；若持续出现，请核对 Secret' },
  '40029': { zh: '授权 code 无效或已使用', todo: '请从企业微信中重新打开页面' },
  '40031': { zh: '接收成员列表无效', todo: '请确认接收的成员仍在通讯录中' },
  '40032': { zh: '一次提交的成员或用户数量超出限制', todo: '请减少每次提交的数量后重试' },
  '40037': { zh: '模板消息的模板 ID 无效', todo: '请在公众号后台确认模板仍然存在，并更新模板 ID' },
  '40050': { zh: '客户群不存在或已解散', todo: '请同步客户群后再操作' },
  '40056': { zh: '应用 AgentId 无效', todo: ADMIN },
  '40058': { zh: '参数不合法（内容格式、长度或数量不符合平台要求）', todo: '请检查内容长度、附件数量和格式后重试' },
  '40063': { zh: '必填参数为空', todo: '请补全内容后重试' },
  '40068': { zh: '标签不存在（可能已在企业微信中删除）', todo: '请同步标签后重新选择' },
  '40071': { zh: '标签名已存在（同一标签组内不能重名）', todo: '请换一个标签名' },
  '40072': { zh: '标签名过长（不超过 30 个字）', todo: '请缩短标签名' },
  '40088': { zh: '朋友圈任务已失效', todo: '请重新发起朋友圈任务' },
  '40091': { zh: '应用 Secret 不正确', todo: '请管理员在「渠道账号」中重新填写 Secret' },
  '40096': { zh: '客户 ID 无效（客户不存在或已删除）', todo: '请同步客户列表，确认客户仍存在' },
  '40125': { zh: '公众号 AppSecret 不正确', todo: '请管理员在「渠道账号」中重新填写 AppSecret' },
  '40126': { zh: '企业客户标签数量已达上限（3000 个）', todo: '请删除不再使用的标签后重试' },
  '40128': { zh: '客户转接过于频繁（90 天内只能转接一次）', todo: '请 90 天后再转接，或由原成员继续跟进' },
  '40129': { zh: '该客户已有一次转接正在进行', todo: '请等待上一次转接完成（约 24 小时）' },
  '40164': { zh: '服务器 IP 不在公众号白名单中', todo: '请管理员在公众号后台把服务器 IP 加入白名单' },
  '41001': { zh: '缺少访问令牌', todo: RETRY },
  '41002': { zh: '缺少企业 ID', todo: '请管理员在「渠道账号」中填写企业 ID' },
  '41004': { zh: '缺少应用 Secret', todo: '请管理员在「渠道账号」中填写 Secret' },
  '41008': { zh: '缺少授权 code', todo: '请从企业微信中重新打开页面' },
  '41009': { zh: '缺少成员 ID', todo: '请确认任务指定了执行成员' },
  '41011': { zh: '缺少应用 AgentId', todo: ADMIN },
  '41016': { zh: '缺少消息标题', todo: '请填写标题后重试' },
  '41017': { zh: '缺少标签 ID', todo: '请选择标签后重试' },
  '41018': { zh: '缺少部门 ID', todo: '请选择部门后重试' },
  '41035': { zh: '缺少客户 ID', todo: '请确认已选择客户' },
  '41037': { zh: '缺少「联系我」类型', todo: '请重新创建活码' },
  '41038': { zh: '缺少「联系我」场景', todo: '请重新创建活码' },
  '41039': { zh: '「联系我」类型无效', todo: '请重新创建活码' },
  '41040': { zh: '「联系我」场景无效', todo: '请重新创建活码' },
  '41041': { zh: '「联系我」的成员数量超出上限（100 人）', todo: '请减少活码中的成员，或拆成多个活码' },
  '41043': { zh: '缺少「联系我」配置 ID', todo: '请重新生成二维码' },
  '41044': { zh: '「联系我」配置不存在（可能已在企业微信中删除）', todo: '请重新生成二维码' },
  '41045': { zh: '「联系我」二维码数量已达上限', todo: '请删除不再使用的活码后重试' },
  '41046': { zh: '缺少群发消息 ID', todo: RETRY },
  '41047': { zh: '群发消息 ID 无效', todo: '请重新发起群发' },
  '41048': { zh: '客户不存在或未添加该成员为好友', todo: '请确认客户仍是该成员的好友' },
  '41049': { zh: '缺少欢迎语 code', todo: '欢迎语只能在添加好友的回调中发送，无需处理' },
  '41050': { zh: '欢迎语 code 已过期或已使用（须在添加后 20 秒内发送）', todo: '无需处理；之后可改用一对一消息' },
  '41051': { zh: '该客户已收到过这位成员的欢迎语', todo: '无需处理' },
  '41063': { zh: '群发消息仍在派发中', todo: RETRY },
  '41065': { zh: '附件类型不受支持（朋友圈只支持图片、视频或链接）', todo: '请更换附件类型后重试' },
  '42001': { zh: '访问令牌已过期', todo: '系统会自动重新获取令牌，无需处理' },
  '43004': { zh: '用户未关注公众号', todo: '只能给已关注的用户发送，请改用其他渠道' },
  '44004': { zh: '消息内容为空', todo: '请填写内容后重试' },
  '45002': { zh: '消息内容超出长度限制', todo: '请缩短内容（文本不超过 4000 字节）' },
  '45009': { zh: '接口调用过于频繁，超出平台限额', todo: RETRY },
  '45011': { zh: '接口调用过于频繁', todo: RETRY },
  '45015': { zh: '用户超过 48 小时未互动，不能再发客服消息', todo: '请等用户再次发消息，或改用模板消息' },
  '45033': { zh: '接口并发调用超出限制', todo: RETRY },
  '45035': { zh: '接口调用受限（权限或可信 IP）', todo: '请管理员在企业微信管理后台检查接口权限与可信 IP' },
  '45047': { zh: '用户未回复前最多只能发送 5 条客服消息', todo: '请等用户回复后再发送' },
  '45056': { zh: '公众号标签数量已达上限', todo: '请删除不再使用的标签后重试' },
  '45059': { zh: '该用户身上的标签已达上限（20 个）', todo: '请先移除该用户的部分标签' },
  '45157': { zh: '标签名不合法或与已有标签重名', todo: '请换一个标签名' },
  '45158': { zh: '标签名过长（不超过 30 字节）', todo: '请缩短标签名' },
  '45159': { zh: '标签不存在', todo: '请同步标签后重新选择' },
  '47001': { zh: '请求数据格式错误', todo: '请联系技术支持并提供此错误码' },
  '47003': { zh: '参数值不符合平台限制（如模板字段）', todo: '请检查模板字段的内容和长度' },
  '48001': { zh: '公众号未获得该接口权限', todo: '请确认公众号类型（服务号/认证）支持此功能' },
  '48002': { zh: '应用没有该接口的调用权限', todo: '请管理员在企业微信管理后台把应用设为「可调用应用」并开通客户联系权限' },
  '48006': { zh: '接口权限已被收回', todo: ADMIN },
  '49003': { zh: '用户不属于此公众号', todo: '请确认用户来自同一个公众号' },
  '50100': { zh: '分页游标无效', todo: RETRY },
  '60020': { zh: '服务器 IP 不在企业微信可信 IP 中', todo: '请管理员在企业微信管理后台把服务器 IP 加入可信 IP' },
  '60111': { zh: '成员不存在（可能已离职或 ID 有误）', todo: '请同步通讯录，离职成员的客户请先做离职继承' },
  '61004': { zh: '访问来源 IP 不在公众号白名单中', todo: '请管理员在公众号后台把服务器 IP 加入白名单' },
  '81013': { zh: '接收成员、部门和标签全部无效或不在应用可见范围', todo: '请管理员检查应用的可见范围' },
  '81017': { zh: '一次请求的数量超出上限（客户、群、标签或成员）', todo: '请分批发送或缩小范围' },
  '84061': { zh: '客户与该成员之间没有好友关系', todo: '请确认客户仍是该成员的好友' },
  '90500': { zh: '群主不符合继承条件（仍在职或群已转出）', todo: '请在企业微信中确认群主状态后再操作' },
  '95000': { zh: '微信客服账号无效', todo: '请管理员确认客服账号仍存在' },
  '95001': { zh: '客户未回复前最多只能发送 5 条客服消息', todo: '请等客户回复后再发送' },
  '95002': { zh: '客户未发消息或已超过 48 小时，不能发送客服消息', todo: '请等客户再次发消息' },
  '95007': { zh: '客服消息拉取凭证无效或已过期', todo: RETRY },
  '95013': { zh: '客服会话已结束', todo: '请等客户再次发起会话' },
  '95014': { zh: '该成员不是此客服账号的接待人员或未在接待中', todo: '请在企业微信后台把该成员设为接待人员并开启接待' },
  '95016': { zh: '当前会话状态不允许这样变更', todo: '请刷新会话后重试' },
  '95018': { zh: '会话状态不允许发送（需先由接待人员接入）', todo: '请在企业微信中接入该会话后再发送' },
  '301002': { zh: '无权操作指定的应用', todo: ADMIN },
  // A failure without an errcode is recorded as `vendor:<kind>` (ChannelErrorKind): these read like the codes.
  rate_limited: { zh: '调用过于频繁，超出平台限额或并发限制', todo: RETRY },
  unavailable: { zh: '平台暂时没有响应（网络中断或超时）', todo: RETRY, who: '企业微信暂不可用' },
  auth: { zh: '凭证无效（Secret 错误或令牌失效）', todo: '请管理员在「渠道账号」中核对企业 ID 与 Secret' },
  config: { zh: '应用配置不允许此操作（权限、可信 IP 或企业 ID）', todo: ADMIN },
  window_closed: { zh: '客户超过 48 小时未互动，会话窗口已关闭', todo: '请等客户再次发消息，或改用企业微信 1:1 群发' },
  recipient: { zh: '接收人无效（客户或成员不存在、已删除或不是好友）', todo: '请同步客户与通讯录，确认好友关系仍在' },
  invalid: { zh: '内容或参数不符合平台要求', todo: '请检查内容长度、附件数量和格式后重试' },
  unknown: { zh: '平台返回了无法识别的错误', todo: '请联系技术支持并提供此记录' },
};

/** The entry for a code (or a `vendor:<code|kind>` touch reason), or undefined for one the table does not know yet. */
export function vendorErrcodeEntry(errcode: number | string): VendorErrcodeEntry | undefined {
  return VENDOR_ERRCODES[String(errcode).trim().replace(/^vendor:/, '')];
}

/**
 * A vendor refusal as people read it, zh-CN first and the code kept for support:
 * 「企业微信拒绝：客户不存在或未添加该成员为好友 (41048) — 请确认客户仍是该成员的好友」.
 * An unknown code still says who refused and gives the code, with the vendor's lookup as the thing to do.
 */
export function describeVendorError(errcode: number | string, platform: VendorPlatform = 'wecom'): string {
  const entry = vendorErrcodeEntry(errcode);
  const who = entry?.who ?? (platform === 'official_account' ? '公众号拒绝' : '企业微信拒绝');
  if (entry) return `${who}：${entry.zh} (${String(errcode).replace(/^vendor:/, '')}) — ${entry.todo}`;
  return `${who}：平台错误 (${errcode}) — 请在平台错误码查询中查看此错误码，或联系技术支持`;
}
