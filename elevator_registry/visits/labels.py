"""The visit pages' names for their labels (the enums' labels live in `elevator_registry.labels`),
and the Chinese of the flags a visit can carry.

The record classes' labels are `RECORD_CLASS_ZH` of web.templating.
"""

from elevator_registry.labels import ENUM_LABELS
from elevator_registry.visits.checklist import ITEM_RESULT_ZH
from elevator_registry.visits.enums import PhotoPhase, Presence

PHASE_ZH = ENUM_LABELS[PhotoPhase]
PRESENCE_ZH = ENUM_LABELS[Presence]
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
