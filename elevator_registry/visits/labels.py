"""Chinese labels of the visit's values, for pages (until the shared labels module absorbs them).

The record classes' labels are `RECORD_CLASS_ZH` of web.templating.
"""

from elevator_registry.visits.checklist import ITEM_RESULT_ZH
from elevator_registry.visits.enums import PhotoPhase, Presence

PHASE_ZH = {PhotoPhase.BEFORE: "作业前", PhotoPhase.AFTER: "作业后"}
PRESENCE_ZH = {
    Presence.CONFIRMED_BY_OWN_ACCOUNT: "本人账号确认到场",
    Presence.ENTERED_BY_FIRST: "由签到人员录入",
}
FLAG_ZH = {
    "FAR_FROM_ELEVATOR": "签到位置距电梯超出范围",
    "NO_LOCATION": "签到未提供定位",
    "PHOTO_REUSED": "照片曾用于其他电梯或其他日期",
    "SECOND_WORKER_ENTERED_BY_FIRST": "第二名作业人员由签到人员录入",
}

VISIT_LABELS = {
    "ITEM_RESULT_ZH": ITEM_RESULT_ZH,
    "PHASE_ZH": PHASE_ZH,
    "PRESENCE_ZH": PRESENCE_ZH,
    "FLAG_ZH": FLAG_ZH,
}
