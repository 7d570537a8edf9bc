"""The Chinese message of every refusal code, and the Chinese names of the fields they name.

A refusal keeps its English `message` (programs and logs read it) and gains `message_zh`, the
sentence the pages show. Most raise sites give only a code and a field: the Chinese text is the
template here, `{field}` filled with the field's Chinese name. Sites whose message must carry a
value (a rescue code, a wait in seconds) pass `message_zh=` themselves. `tests/test_messages_zh.py`
scans the source and fails on any code that can be raised without an entry here.
"""

FIELD_LABELS: dict[str, str] = {
    "actor_role": "操作人角色",
    "added_to_old_building": "是否加装电梯",
    "address": "地址",
    "alarm": "报警类型",
    "advertising_income_yuan": "广告收入（元）",
    "age_band": "梯龄段",
    "agency_id": "检验机构",
    "amount_yuan": "金额（元）",
    "as": "导入单位",
    "as_of": "统计日期",
    "assessed_on": "评估日期",
    "at": "时间",
    "Authorization": "登录凭据",
    "building": "楼栋",
    "by": "分组方式",
    "caller_phone": "报告人电话",
    "certificate_number": "作业人员证号",
    "channel": "报告渠道",
    "checked_from": "检查日期起",
    "checked_on": "检查日期",
    "checked_to": "检查日期止",
    "checker_name": "检查人",
    "commissioned_from_year": "投用年份起",
    "commissioned_on": "投用日期",
    "commissioned_to_year": "投用年份止",
    "community": "小区",
    "conclusion": "评估结论",
    "confirmed": "是否已确认",
    "confirmed_at": "确认时间",
    "contact_name": "联系人",
    "context": "质保情形",
    "contract_id": "维保合同",
    "contracts": "合同",
    "credit_code": "统一社会信用代码",
    "current": "是否现行",
    "current_on": "现行日期",
    "cursor": "翻页游标",
    "description": "描述",
    "doors": "门数",
    "duty_phone": "值班电话",
    "elevator_id": "电梯",
    "emergency_levelling_fitted": "是否装有应急平层装置",
    "end_date": "结束日期",
    "entity": "记录类型",
    "entity_id": "记录编号",
    "entry_id": "黑名单记录",
    "equipment_code": "设备代码",
    "escalation_level": "升级级别",
    "fault_cause_code": "故障原因",
    "fee_yuan": "费用（元）",
    "file": "导入文件",
    "findings": "发现的问题",
    "floors": "层数",
    "follows_id": "所复检的检验",
    "format": "导出格式",
    "found_at": "发现时间",
    "from": "起始日期",
    "grade": "等级",
    "group_by": "分组方式",
    "has_property_management": "是否有物业管理",
    "has_repair_fund": "是否有维修资金",
    "hazard_description": "隐患描述",
    "hazard_id": "隐患报告",
    "held_from": "演练日期起",
    "held_on": "演练日期",
    "held_to": "演练日期止",
    "Idempotency-Key": "幂等键",
    "in_force_on": "生效日期",
    "in_house_number": "内部编号",
    "incident_id": "事件",
    "include_superseded": "是否含已更正记录",
    "inspection_id": "检验记录",
    "installation_inspected_on": "安装监督检验合格日期",
    "installer_id": "安装单位",
    "insurer_id": "保险公司",
    "iot_terminal_fitted": "是否装有物联网终端",
    "issued_on": "出具日期",
    "issuer_id": "出具单位",
    "items": "项目",
    "items_done": "完成的维保项目",
    "kind": "类别",
    "kind_filter": "类别",
    "latitude": "纬度",
    "legal_basis": "法律依据",
    "level": "升级级别",
    "licence_id": "许可证",
    "lift_reason": "移出原因",
    "lifted_on": "移出日期",
    "limit": "每页条数",
    "listed_on": "列入日期",
    "longitude": "经度",
    "maintenance_interval_days": "维保间隔天数",
    "maintenance_unit_credit_code": "维保单位信用代码",
    "maintenance_unit_id": "维保单位",
    "manufactured_on": "制造日期",
    "manufacturer_id": "制造单位",
    "measures": "措施",
    "min_risk_grade": "最低风险等级",
    "min_score": "最低风险分",
    "mode": "维保方式",
    "model": "型号",
    "modernised_on": "改造日期",
    "name": "名称",
    "note": "备注",
    "notes": "备注",
    "notice_number": "通知书编号",
    "number": "编号",
    "occurred_on": "发生日期",
    "on": "日期",
    "open": "是否未结",
    "open_only": "是否只看未结",
    "org": "所属单位",
    "organisation_id": "单位",
    "partial": "是否部分",
    "participants": "参加人员",
    "parts_replaced": "更换的部件",
    "password": "密码",
    "performed_at": "维保时间",
    "performed_from": "日期起",
    "performed_on": "检验日期",
    "performed_to": "日期止",
    "phone": "电话",
    "place_category": "场所类别",
    "policy_number": "保单号",
    "premium": "保费",
    "premium_yuan": "保费（元）",
    "product_serial": "产品编号",
    "property_fee_yuan": "物业费（元）",
    "q": "搜索",
    "rated_load_kg": "额定载重量",
    "rated_speed_mps": "额定速度",
    "reason": "原因",
    "record_class": "维保类别",
    "record_id": "维保记录",
    "reference": "参照日期",
    "registered_on": "登记日期",
    "registration_number": "使用登记证编号",
    "repair_fund_draw_yuan": "动用维修资金（元）",
    "report_number": "报告编号",
    "reporter_organisation_id": "报告单位",
    "rescue_code": "96333 识别码",
    "resolved_on": "整改完成日期",
    "result": "检验结论",
    "revision_reason": "更正原因",
    "risk_factor": "风险系数",
    "risk_grade": "风险等级",
    "role": "角色",
    "roles": "单位角色",
    "rule": "规则",
    "safety_manager": "安全管理员",
    "scope": "质保范围",
    "score": "分数",
    "self_tester_id": "自检单位",
    "severity": "严重程度",
    "start_date": "开始日期",
    "status": "状态",
    "stops": "站数",
    "street": "街镇",
    "supersedes_id": "所更正的记录",
    "terminated_on": "终止日期",
    "termination_reason": "终止原因",
    "to": "截止日期",
    "token": "查询码",
    "trapped_count": "被困人数",
    "type_code": "电梯类别",
    "unit": "单元",
    "user_unit_id": "使用单位",
    "valid_from": "有效期起",
    "valid_until": "有效期至",
    "workers": "作业人员",
    "year": "年度",
    "checkpoint": "拍照点位",
    "phase": "拍摄阶段",
    "sha256": "照片摘要",
    "visit_id": "维保作业编号",
    "delay_minutes": "延迟分钟数",
    "message_id": "推送消息编号",
    "notification_id": "通知编号",
    "raise_to_level": "升至级别",
    "secret": "签名密钥",
    "step": "步骤序号",
    "subscription_id": "订阅编号",
    "target": "接收地址",
    "target_kind": "通知对象",
    "topic": "消息类型",
    "trigger": "触发条件",
    "unread": "是否未读",
}

# Entities of `NotFound(entity, identifier)`: its code is `<ENTITY>_NOT_FOUND`.
ENTITY_LABELS: dict[str, str] = {
    "blacklist_entry": "黑名单记录",
    "contract": "维保合同",
    "elevator": "电梯",
    "hazard_report": "隐患报告",
    "incident": "事件",
    "inspection": "检验记录",
    "licence": "许可证",
    "maintenance_record": "维保记录",
    "organisation": "单位",
    "stop_use_notice": "停用通知书",
    "token": "令牌",
    "checklist": "维保项目表",
    "photo": "照片",
    "user": "账号",
    "visit": "维保作业",
    "notification": "通知",
    "outbox_message": "推送消息",
    "street": "街镇",
    "subscription": "通知订阅",
}

MESSAGES_ZH: dict[str, str] = {
    # Payload and parameters (the application's handlers and the pages' forms).
    "VALIDATION_ERROR": "{field}填写有误",
    "UNKNOWN_FIELD": "“{field}”不是本请求的字段",
    "ROUTE_NOT_FOUND": "没有这个页面或接口",
    "METHOD_NOT_ALLOWED": "此地址不接受这种请求方式",
    "HTTP_ERROR": "请求未能完成",
    "CONSTRAINT_VIOLATION": "修改与同时写入的数据冲突，请刷新后重试",
    "DATABASE_UNAVAILABLE": "数据库暂时无法连接，请稍后重试",
    "CURSOR_INVALID": "翻页游标无效，请从第一页重新查询",
    "FIELD_REQUIRED": "{field}不能为空",
    "FIELD_NOT_ALLOWED": "此处不应填写{field}",
    "FIELD_NOT_WRITABLE": "您无权修改{field}",
    "OPTION_INVALID": "选项{field}不适用于此类导入",
    "DATE_IN_FUTURE": "{field}不能晚于今天",
    "TIME_IN_FUTURE": "{field}不能晚于现在",
    "DATE_RANGE_INVALID": "{field}与起始日期的先后顺序不对",
    "DATE_ORDER_INVALID": "{field}早于它之前应有的日期",
    "TIME_ORDER_INVALID": "{field}早于此前已记录的时间",
    "PERIOD_TOO_LONG": "查询期间过长，请缩短{field}",
    "YEAR_NOT_ENDED": "{field}尚未结束，只能评定已结束的年度",
    # Who may do what.
    "AUTHENTICATION_REQUIRED": "请先登录",
    "TOKEN_INVALID": "登录凭据无效或已撤销，请重新登录",
    "FORBIDDEN_ROLE": "您的角色无权进行此操作",
    "OUT_OF_SCOPE": "此记录不在您的管辖或业务范围内",
    "CSRF_TOKEN_INVALID": "表单已过期或并非来自本站，请刷新页面后重试",
    "ROLE_HAS_NO_PAGES": "此角色没有可用的网页",
    "ROLE_INVALID": "没有这个角色",
    "ORGANISATION_REQUIRED": "此角色须指定所属单位",
    "ORGANISATION_NOT_ALLOWED": "此角色不属于任何单位",
    "STREET_REQUIRED": "街镇角色须指定街镇",
    "STREET_UNKNOWN": "没有这个街镇",
    "STREET_NOT_ALLOWED": "此角色不指定街镇",
    "CHANNEL_NOT_ALLOWED": "报告渠道与报告人身份不符",
    "BACKFILL_NOT_ALLOWED": "只有 96333 坐席或监管局可以补录非当前时间",
    "BACKFILL_REASON_REQUIRED": "补录时间须说明原因",
    "RATE_LIMITED": "请求过于频繁，请稍后再试（紧急情况请拨打 96333）",
    # Identifiers.
    "CREDIT_CODE_INVALID": "{field}不是有效的统一社会信用代码（GB 32100-2015）",
    "CREDIT_CODE_TAKEN": "已有单位使用此统一社会信用代码",
    "EQUIPMENT_CODE_INVALID": "{field}不是有效的设备代码（18位或20位，以电梯类别代码开头）",
    "EQUIPMENT_CODE_TYPE_MISMATCH": "{field}的类别代码与电梯类别不符",
    "EQUIPMENT_CODE_TAKEN": "此设备代码已属于另一台电梯",
    "REGISTRATION_NUMBER_INVALID": "{field}格式有误，应如 梯11渝A00001(17)",
    "REGISTRATION_TYPE_MISMATCH": "{field}的特征码与电梯类别不符",
    "REGISTRATION_NUMBER_REQUIRED": "填写登记日期时须同时填写使用登记证编号",
    "REGISTRATION_NUMBER_TAKEN": "此使用登记证编号已属于另一台电梯",
    "RESCUE_CODE_INVALID": "{field}格式有误",
    "RESCUE_CODE_TAKEN": "此 96333 识别码已属于另一台电梯",
    "RESCUE_CODE_UNKNOWN": "没有电梯使用此 96333 识别码，请核对轿厢内张贴的识别码或拨打 96333",
    "TRACKING_TOKEN_UNKNOWN": "查询码无效，没有对应的报告",
    "PHONE_INVALID": "{field}不是有效的手机号码或带区号的固定电话",
    "CERTIFICATE_NUMBER_INVALID": "{field}不是有效的特种设备作业人员证号",
    # Registry.
    "STATUS_NOT_ALLOWED": "新登记的电梯状态只能是已登记或在用",
    "COMMISSIONED_ON_REQUIRED": "在用电梯须填写投用日期",
    "STOPS_EXCEED_FLOORS": "站数不能多于层数",
    "ELEVATOR_SCRAPPED": "电梯已报废，不能再进行此操作",
    "INVALID_TRANSITION": "当前状态下不能进行此操作",
    "ORGANISATION_ROLE_MISSING": "{field}所选单位不具备所需的角色",
    "LICENCE_NUMBER_TAKEN": "此许可证编号已存在",
    "ALREADY_BLACKLISTED": "该单位已在黑名单中",
    "ALREADY_LIFTED": "该黑名单记录已移出",
    "CONTRACT_OVERLAP": "该电梯在此期间已有维保合同",
    "CONTRACT_ALREADY_ENDED": "该维保合同已终止",
    "CONTRACT_USER_UNIT_MISMATCH": "合同的使用单位不是该电梯的使用单位",
    "CONTRACT_MISMATCH": "所选合同不是该日期覆盖此电梯的维保合同",
    "MAINTENANCE_INTERVAL_INVALID": "按需维保合同须填写维保间隔天数，其他方式不填",
    "NO_CONTRACT_ON_DATE": "该维保单位在此日期没有此电梯的有效维保合同",
    "POLICY_NUMBER_TAKEN": "该保险公司已有此保单号",
    "POLICY_OVERLAP": "该电梯在此期间已有同类保单",
    "DISCLOSURE_EXISTS": "该电梯此年度的费用已公示",
    # Maintenance, hazards, checks.
    "WORKER_DUPLICATE": "作业人员名单中有重复人员",
    "CREW_TOO_SMALL": "现场作业人员至少 2 名（电梯安全条例 第二十五条）",
    "NO_CERTIFIED_WORKER": "至少须有 1 名持特种设备作业人员证的作业人员",
    "RECORD_DATE_IN_FUTURE": "{field}不能晚于现在",
    "RECORD_BEFORE_COMMISSIONING": "{field}早于电梯投用日期",
    "RECORD_DUPLICATE": "已有一条相同的维保记录",
    "RECORD_ALREADY_CONFIRMED": "该维保记录已由使用单位确认",
    "RECORD_SUPERSEDED": "该维保记录已被更正，请对最新版本操作",
    "CONFIRMATION_TIME_INVALID": "{field}须在维保之后、当前时间之前",
    "HAZARD_DATE_IN_FUTURE": "{field}不能晚于现在",
    "HAZARD_ALREADY_RESOLVED": "该隐患已整改完成",
    # Inspection.
    "AGENCY_REQUIRED": "请选择负责的检验机构",
    "REPORT_NUMBER_TAKEN": "该机构已提交过此报告编号",
    "FOLLOWS_REQUIRED": "复检须指明所复检的不合格检验",
    "FOLLOWS_NOT_ALLOWED": "只有复检才指明所复检的检验",
    "REINSPECTION_TARGET_INVALID": "复检须针对同一电梯的一次不合格检验",
    "INSPECTION_KIND_NOT_ALLOWED": "维保单位只能提交自行检测报告",
    # Incidents.
    "INCIDENT_BUSY": "该电梯的事件刚被他人修改，请重试",
    "IDEMPOTENCY_KEY_REUSED": "此幂等键已用于另一份报告，新报告请用新键",
    "IDEMPOTENCY_KEY_IN_PROGRESS": "使用此幂等键的首次请求仍在处理，请稍后重试",
    "TRAPPED_COUNT_INVALID": "被困人数有误：困人报告填 1–60 人，其他报告填 0",
    "ESCALATION_LEVEL_INVALID": "升级级别只能提高，最高为三级（消防119）",
    "FAULT_CAUSE_REQUIRED": "办结故障或困人事件须填写故障原因",
    # Risk list.
    "RULE_UNKNOWN": "没有这条风险规则",
    "AGE_BAND_UNKNOWN": "没有这个梯龄段",
    # Imports.
    "IMPORT_COLUMNS_INVALID": "导入文件的表头与模板不符（表头须在第一行非空行，列名见模板）",
    "IMPORT_FILE_INVALID": "导入文件无法读取",
    "IMPORT_EMPTY": "导入文件没有数据行",
    "IMPORT_FILE_TYPE_UNSUPPORTED": "只能导入 CSV（.csv）或 Excel 工作簿（.xlsx）",
    "IMPORT_ENCODING_INVALID": "文件编码既不是 UTF-8 也不是 GB18030/GBK，请另存为 UTF-8",
    # Rules of the plan refused at write time (RuleViolation; code = the rule's code).
    "NO_USER_UNIT": "电梯没有使用单位（使用单位不明确的电梯不得投入使用）",
    "INSPECTION_FAILED_IN_USE": "电梯检验不合格且未复检合格，不得投入使用",
    "LICENCE_BAN": "该单位的许可证被吊销，禁入期内不得再取得此类许可",
    "MAINTAINER_NOT_ELIGIBLE": "该维保单位不具备维保资格（许可证无效或在黑名单中）",
    "ON_DEMAND_NOT_ELIGIBLE": "该电梯不满足按需维保的全部条件",
    "SUSPENDED_RESTART": "电梯停用超过一年，重新启用前须经定期检验合格",
    "WARRANTY_BELOW_MINIMUM": "质保期短于方案要求的最低年限",
    "SERIOUS_HAZARD_OPEN": "该电梯有未消除的重大事故隐患，隐患消除并登记后方可恢复使用",
    # Accounts and logging in.
    "ACCOUNT_DEACTIVATED": "账号已停用，请联系区市场监管局",
    "CANNOT_DEACTIVATE_SELF": "不能停用自己的账号",
    "DISPLAY_NAME_INVALID": "姓名须为 1–50 个字符",
    "LOGIN_FAILED": "登录名或密码不正确",
    "LOGIN_INVALID": "登录名须为 3–40 位拼音字母、数字、点或下划线",
    "LOGIN_LOCKED": "登录失败次数过多，已暂时锁定，请稍后再试",
    "LOGIN_TAKEN": "该登录名已被使用",
    "PASSWORD_CHANGE_REQUIRED": "请先修改初始密码",
    "PASSWORD_IS_LOGIN": "密码不能与登录名相同",
    "PASSWORD_TOO_LONG": "密码最多 128 个字符",
    "PASSWORD_TOO_SHORT": "密码太短",
    "PASSWORD_UNCHANGED": "新密码不能与当前密码相同",
    "PASSWORD_WRONG": "当前密码不正确",
    "SESSION_ENDED": "登录已失效，请重新登录",
    "CONFIRMER_IS_FILER": "该记录由本账号填报，须由使用单位安全管理员用自己的账号确认",
    # The maintenance visit on the phone.
    "CHECKLIST_INCOMPLETE": "还有维保项目未填写结果",
    "CHECKLIST_ITEM_DUPLICATE": "维保项目重复",
    "CHECKLIST_ITEM_UNKNOWN": "该维保项目不属于本次维保类别",
    "CHECKLIST_NOTE_REQUIRED": "调整或更换的维保项目须填写说明",
    "PHOTO_CHECKPOINT_UNKNOWN": "拍照点位不存在",
    "PHOTO_EMPTY": "照片为空",
    "PHOTO_MISSING": "缺少照片",
    "PHOTO_TOO_LARGE": "照片过大",
    "PHOTO_TYPE_NOT_ALLOWED": "照片格式不支持：只接受 JPEG、PNG 或 HEIC 图片",
    "PRESENCE_NEEDS_PERSONAL_ACCOUNT": "须由第二名作业人员用本人账号确认到场",
    "PRESENCE_SAME_PERSON": "签到人员不能替第二名作业人员确认到场",
    "VISIT_ALREADY_SUBMITTED": "该维保作业已提交，不能再修改",
    "VISIT_CLASS_WITHOUT_CHECKLIST": "维保类别须为半月、季度、半年或年度",
    "VISIT_NOT_CHECKED_OUT": "请先签退再提交",
    # The 96333 seats and the search box.
    "ASSIGNEE_NOT_MAINTAINER": "所选单位不是维保（救援）单位",
    "INCIDENT_ALREADY_ASSIGNED": "该事件已有救援单位或无需指派",
    "SEARCH_QUERY_INVALID": "搜索内容长度不符合要求",
    # Notifications: subscriptions, the escalation policy, acknowledge links.
    "ACK_LINK_EXPIRED": "接单链接已过期，请在维保单位页面接单或致电 96333",
    "ACK_LINK_INVALID": "接单链接无效（已被改动或不完整），请在维保单位页面接单",
    "POLICY_STEP_EXISTS": "该升级策略已有此序号的步骤",
    "POLICY_STEP_INVALID": "升级策略步骤设置不正确",
    "SUBSCRIPTION_EXISTS": "该单位已有相同的订阅",
    "SUBSCRIPTION_FORBIDDEN": "只有区市场监管局或该单位本身可以管理其通知订阅",
    "SUBSCRIPTION_SECRET_UNEXPECTED": "短信订阅不需要密钥",
    "SUBSCRIPTION_TARGET_INVALID": "订阅地址不正确：Webhook 须为 http(s) 网址，短信须为手机号",
}


def field_label(field: str | None) -> str:
    """The Chinese name of a field (`workers.0.certificate_number` → 作业人员第1项 作业人员证号)."""
    if field is None:
        return "此项"
    parts = field.split(".")
    named: list[str] = []
    for part in parts:
        if part.isdigit():
            named.append(f"第{int(part) + 1}项")
        else:
            named.append(FIELD_LABELS.get(part, part))
    return "".join(named)


def chinese_message(
    code: str, field: str | None = None, *, identifier: object = None, label: str | None = None
) -> str | None:
    """The catalogue's Chinese sentence for a code, or None if the catalogue has none.

    A `<ENTITY>_NOT_FOUND` code names the entity, and the identifier looked for when given.
    `label` names the field instead of its Chinese name (an import names the file's column).
    """
    if code.endswith("_NOT_FOUND") and code not in MESSAGES_ZH:
        entity = code.removesuffix("_NOT_FOUND").lower()
        if entity not in ENTITY_LABELS:
            return None
        named = "" if identifier is None else f"“{identifier}”"
        return f"{ENTITY_LABELS[entity]}{named}不存在或您无权查看"
    template = MESSAGES_ZH.get(code)
    if template is None:
        return None
    return template.format(field=label or field_label(field))


# Pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) as
# Chinese templates; `{field}` is the field's Chinese name, the rest come from the error's ctx.
VALIDATION_ZH: dict[str, str] = {
    "missing": "{field}为必填项",
    "extra_forbidden": "“{field}”不是本请求的字段",
    "string_too_short": "{field}至少 {min_length} 个字符",
    "string_too_long": "{field}最多 {max_length} 个字符",
    "string_pattern_mismatch": "{field}格式不正确",
    "string_type": "{field}须为文本",
    "too_short": "{field}至少 {min_length} 项",
    "too_long": "{field}最多 {max_length} 项",
    "int_parsing": "{field}须为整数",
    "int_type": "{field}须为整数",
    "int_from_float": "{field}须为整数",
    "float_parsing": "{field}须为数字",
    "float_type": "{field}须为数字",
    "decimal_parsing": "{field}须为数字",
    "decimal_type": "{field}须为数字",
    "decimal_max_digits": "{field}位数过多",
    "decimal_max_places": "{field}小数位数过多",
    "greater_than": "{field}须大于 {gt}",
    "greater_than_equal": "{field}须不小于 {ge}",
    "less_than": "{field}须小于 {lt}",
    "less_than_equal": "{field}须不大于 {le}",
    "bool_parsing": "{field}须为是或否",
    "bool_type": "{field}须为是或否",
    "date_parsing": "{field}须为日期（如 2026-01-31）",
    "date_from_datetime_parsing": "{field}须为日期（如 2026-01-31）",
    "date_type": "{field}须为日期（如 2026-01-31）",
    "datetime_parsing": "{field}须为日期时间（如 2026-01-31T08:00:00+08:00）",
    "datetime_from_date_parsing": "{field}须为日期时间（如 2026-01-31T08:00:00+08:00）",
    "datetime_type": "{field}须为日期时间（如 2026-01-31T08:00:00+08:00）",
    "timezone_aware": "{field}须带时区（如 +08:00）",
    "enum": "{field}须为以下之一：{expected}",
    "literal_error": "{field}须为以下之一：{expected}",
    "json_invalid": "请求正文不是有效的 JSON",
    "model_type": "{field}须为对象",
    "model_attributes_type": "{field}须为对象",
    "dict_type": "{field}须为对象",
    "list_type": "{field}须为列表",
    "value_error": "{field}的值无效",
    "assertion_error": "{field}的值无效",
}


def validation_message_zh(
    error: dict[str, object], field: str | None, *, label: str | None = None
) -> str:
    """The Chinese message of one pydantic error, naming the field by its Chinese name.

    `label` names the field instead (an import names the file's column).
    """
    template = VALIDATION_ZH.get(str(error.get("type")), "{field}填写有误")
    context = error.get("ctx")
    params: dict[str, object] = dict(context) if isinstance(context, dict) else {}
    if "expected" in params:
        params["expected"] = _expected_zh(str(params["expected"]))
    named = label or field_label(field)
    try:
        return template.format(field=named, **params)
    except (KeyError, IndexError):
        return f"{named}填写有误"


def _expected_zh(expected: str) -> str:
    """Pydantic's "'a', 'b' or 'c'" as Chinese labels with the code each stands for."""
    from elevator_registry.labels import (
        label_with_code,  # labels imports the enums; errors must not
    )

    values = [part.strip(" '\"") for part in expected.replace(" or ", ", ").split(",")]
    return "、".join(label_with_code(value) for value in values if value)
