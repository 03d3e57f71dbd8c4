"""SCAIP code tables (device type, status, location, message type) with Swedish/English labels.

Codes follow the public transcription in caruhome/scaip-gateway ``spec.py`` as summarised in the
domain brief (TRYGGHETSLARM.md §2.3); the brief calls the numbers provisional until checked
against SS 91100. Unknown but well-formed codes are kept as raw strings by the parser.
"""

from __future__ import annotations

import enum

from portal.alarmchain.labels import Label


class MessageType(enum.StrEnum):
    ME = "ME"  # message: an alarm or event
    RE = "RE"  # reset: the alarm is withdrawn
    IN = "IN"  # information: an update to an earlier message
    PI = "PI"  # heartbeat


class DeviceType(enum.StrEnum):
    LOCAL_UNIT = "0002"
    PERSONAL_TRIGGER = "0003"
    FIXED_TRIGGER = "0004"
    FALL_DETECTOR = "0005"
    PERSONAL_ATTACK = "0006"
    PANIC_BUTTON = "0007"
    ACTIVITY_DETECTOR = "0010"
    PILL_DISPENSER = "0011"
    BED_MONITOR = "0012"
    MAT_SENSOR = "0013"
    DOOR_SENSOR = "0014"
    WANDERING_SENSOR = "0015"
    ENURESIS_DETECTOR = "0016"
    EPILEPSY_DETECTOR = "0017"
    GAS_DETECTOR = "0021"
    SMOKE_DETECTOR = "0023"
    HEAT_DETECTOR = "0025"
    CO_DETECTOR = "0026"
    MAN_DOWN_DETECTOR = "0030"
    SYSTEM_MONITOR = "0031"
    LINK_MONITOR = "0032"
    FLOOD_DETECTOR = "0033"
    POWER_SUPPLY = "0041"
    TRACKING_DEVICE = "0051"


class StatusCode(enum.StrEnum):
    AUTOMATIC_ALARM = "0009"
    MANUAL_ALARM = "0010"
    BATTERY_FAILURE = "0014"
    BATTERY_OK = "0015"
    BATTERY_LOW = "0016"
    CANCEL = "0019"
    IP_LINK_FAILURE = "0023"
    MOBILE_LINK_FAILURE = "0024"
    PRIMARY_LINK_FAILURE = "0026"
    MAINTENANCE_NEEDED = "0065"
    MALFUNCTION = "0067"
    NORMAL_STATE = "0070"
    OPEN = "0076"
    OPEN_TOO_LONG = "0077"
    POWER_FAILURE = "0085"
    POWER_RESTORED = "0086"
    RESTORAL = "0094"
    TEST_PRIMARY = "0102"
    TEST_REDUNDANT = "0103"
    TIME_OUT = "0104"
    ASSISTANCE = "0110"
    INTERVENTION_COMPLETE = "0111"
    IP_LINK_RESTORED = "0112"
    MOBILE_LINK_RESTORED = "0113"
    PRIMARY_LINK_RESTORED = "0115"
    RADIO_TEST_MISSING = "0123"
    RADIO_TEST_RESTORED = "0124"
    TAMPER = "0125"


class LocationCode(enum.StrEnum):
    HOME = "002"
    BATHROOM = "011"
    BEDROOM = "012"
    KITCHEN = "021"
    GPS_ATTACHED = "035"
    FRONT_DOOR = "039"
    LIVING_ROOM = "043"


DEVICE_TYPE_LABELS: dict[DeviceType, Label] = {
    DeviceType.LOCAL_UNIT: Label("larmenhet med styrenhet", "local unit and controller"),
    DeviceType.PERSONAL_TRIGGER: Label("larmknapp (bärbar)", "personal trigger (worn button)"),
    DeviceType.FIXED_TRIGGER: Label("fast larmknapp", "fixed trigger"),
    DeviceType.FALL_DETECTOR: Label("falldetektor", "fall detector"),
    DeviceType.PERSONAL_ATTACK: Label("överfallslarm", "personal attack trigger"),
    DeviceType.PANIC_BUTTON: Label("panikknapp", "panic button"),
    DeviceType.ACTIVITY_DETECTOR: Label("aktivitetsdetektor", "activity detector"),
    DeviceType.PILL_DISPENSER: Label("läkemedelsautomat", "pill dispenser"),
    DeviceType.BED_MONITOR: Label("sänglarm", "bed monitor"),
    DeviceType.MAT_SENSOR: Label("larmmatta", "mat sensor"),
    DeviceType.DOOR_SENSOR: Label("dörrlarm", "door sensor"),
    DeviceType.WANDERING_SENSOR: Label("rörelselarm (vandring)", "wandering sensor"),
    DeviceType.ENURESIS_DETECTOR: Label("fuktlarm", "enuresis detector"),
    DeviceType.EPILEPSY_DETECTOR: Label("epilepsilarm", "epilepsy detector"),
    DeviceType.GAS_DETECTOR: Label("gasdetektor", "gas detector"),
    DeviceType.SMOKE_DETECTOR: Label("brandvarnare", "smoke detector"),
    DeviceType.HEAT_DETECTOR: Label("värmedetektor", "heat detector"),
    DeviceType.CO_DETECTOR: Label("kolmonoxiddetektor", "CO detector"),
    DeviceType.MAN_DOWN_DETECTOR: Label("automatiskt fallarm", "automatic man-down detector"),
    DeviceType.SYSTEM_MONITOR: Label("systemövervakning", "system monitor"),
    DeviceType.LINK_MONITOR: Label("övervakning av förbindelse", "communication link monitor"),
    DeviceType.FLOOD_DETECTOR: Label("vattenlarm", "flood detector"),
    DeviceType.POWER_SUPPLY: Label("strömförsörjning", "power supply"),
    DeviceType.TRACKING_DEVICE: Label("positionslarm", "tracking device"),
}

STATUS_LABELS: dict[StatusCode, Label] = {
    StatusCode.AUTOMATIC_ALARM: Label("automatiskt larm", "automatic alarm"),
    StatusCode.MANUAL_ALARM: Label("manuellt larm", "manual alarm"),
    StatusCode.BATTERY_FAILURE: Label("batterifel", "battery failure"),
    StatusCode.BATTERY_OK: Label("batteri OK", "battery OK"),
    StatusCode.BATTERY_LOW: Label("låg batterinivå", "battery low"),
    StatusCode.CANCEL: Label("larm återkallat", "cancel"),
    StatusCode.IP_LINK_FAILURE: Label("IP-förbindelse bruten", "IP connection failure"),
    StatusCode.MOBILE_LINK_FAILURE: Label("mobilnät bortfallet", "mobile network failure"),
    StatusCode.PRIMARY_LINK_FAILURE: Label("primär förbindelse bruten", "primary link failure"),
    StatusCode.MAINTENANCE_NEEDED: Label("underhåll behövs", "maintenance needed"),
    StatusCode.MALFUNCTION: Label("funktionsfel", "malfunction"),
    StatusCode.NORMAL_STATE: Label("normalläge", "normal state"),
    StatusCode.OPEN: Label("öppen", "open"),
    StatusCode.OPEN_TOO_LONG: Label("öppen för länge", "open too long"),
    StatusCode.POWER_FAILURE: Label("strömavbrott", "power failure"),
    StatusCode.POWER_RESTORED: Label("ström återställd", "power restored"),
    StatusCode.RESTORAL: Label("återställt", "restoral"),
    StatusCode.TEST_PRIMARY: Label("provlarm (primär kanal)", "test over primary channel"),
    StatusCode.TEST_REDUNDANT: Label("provlarm (reservkanal)", "test over redundant channel"),
    StatusCode.TIME_OUT: Label("tidsgräns", "time out"),
    StatusCode.ASSISTANCE: Label("hjälp begärs", "assistance"),
    StatusCode.INTERVENTION_COMPLETE: Label("insats avslutad", "intervention complete"),
    StatusCode.IP_LINK_RESTORED: Label("IP-förbindelse åter", "IP connection re-established"),
    StatusCode.MOBILE_LINK_RESTORED: Label("mobilnät åter", "mobile network re-established"),
    StatusCode.PRIMARY_LINK_RESTORED: Label("primär förbindelse åter", "primary link restored"),
    StatusCode.RADIO_TEST_MISSING: Label("larmknappen hörs inte", "radio test missing"),
    StatusCode.RADIO_TEST_RESTORED: Label("larmknappen hörs igen", "radio test re-established"),
    StatusCode.TAMPER: Label("sabotagelarm", "tamper alarm"),
}

LOCATION_LABELS: dict[LocationCode, Label] = {
    LocationCode.HOME: Label("bostaden", "home"),
    LocationCode.BATHROOM: Label("badrum", "bathroom"),
    LocationCode.BEDROOM: Label("sovrum", "bedroom"),
    LocationCode.KITCHEN: Label("kök", "kitchen"),
    LocationCode.GPS_ATTACHED: Label("GPS-position bifogad", "GPS position attached"),
    LocationCode.FRONT_DOOR: Label("ytterdörr", "front door"),
    LocationCode.LIVING_ROOM: Label("vardagsrum", "living room"),
}

MESSAGE_TYPE_LABELS: dict[MessageType, Label] = {
    MessageType.ME: Label("larm/händelse", "alarm/event"),
    MessageType.RE: Label("återkallat larm", "reset (alarm withdrawn)"),
    MessageType.IN: Label("information", "information"),
    MessageType.PI: Label("livstecken", "heartbeat"),
}

# Statuses that open an alarm case at the receiving centre (the rest are technical).
ALARM_STATUSES: frozenset[str] = frozenset(
    {
        StatusCode.AUTOMATIC_ALARM,
        StatusCode.MANUAL_ALARM,
        StatusCode.OPEN_TOO_LONG,
        StatusCode.ASSISTANCE,
        StatusCode.TAMPER,
    }
)
LINK_FAILURES: frozenset[str] = frozenset(
    {StatusCode.IP_LINK_FAILURE, StatusCode.MOBILE_LINK_FAILURE, StatusCode.PRIMARY_LINK_FAILURE}
)
LINK_RESTORALS: frozenset[str] = frozenset(
    {StatusCode.IP_LINK_RESTORED, StatusCode.MOBILE_LINK_RESTORED, StatusCode.PRIMARY_LINK_RESTORED}
)
TEST_STATUSES: frozenset[str] = frozenset({StatusCode.TEST_PRIMARY, StatusCode.TEST_REDUNDANT})


def pad_code(raw: str, width: int) -> str:
    """Return a numeric code left-padded to ``width`` digits ("02" -> "0002", "102" -> "0102")."""
    return raw.zfill(width)


def device_type_label(code: str) -> Label | None:
    """Return the label of a device type code, or None when it is outside the known table."""
    try:
        return DEVICE_TYPE_LABELS[DeviceType(code)]
    except ValueError:
        return None


def status_label(code: str) -> Label | None:
    """Return the label of a status code, or None when it is outside the known table."""
    try:
        return STATUS_LABELS[StatusCode(code)]
    except ValueError:
        return None


def location_label(code: str) -> Label | None:
    """Return the label of a location code, or None when it is outside the known table."""
    try:
        return LOCATION_LABELS[LocationCode(code)]
    except ValueError:
        return None
