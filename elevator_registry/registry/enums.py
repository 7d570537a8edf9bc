"""Kinds and statuses of the registry, with the helper sets the rules need."""

from enum import StrEnum


class OrganisationRole(StrEnum):
    """What an organisation does; one legal entity may hold several roles."""

    MANUFACTURER = "manufacturer"
    INSTALLER = "installer"
    MAINTAINER = "maintainer"
    INSPECTION_AGENCY = "inspection_agency"
    USER_UNIT = "user_unit"
    INSURER = "insurer"


class LicenceKind(StrEnum):
    """Special-equipment licences (特种设备许可) the registry tracks."""

    MANUFACTURE = "manufacture"
    INSTALLATION_MAINTENANCE = "installation_maintenance"
    INSPECTION = "inspection"


class LicenceStatus(StrEnum):
    """Stored status; a `valid` licence past `valid_until` is expired whatever this says."""

    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


class ElevatorType(StrEnum):
    """特种设备目录 catalogue codes for elevators (domain-rules F4)."""

    TRACTION_PASSENGER = "3110"
    TRACTION_GOODS = "3120"
    POSITIVE_DRIVE_GOODS = "3130"
    HYDRAULIC_PASSENGER = "3210"
    HYDRAULIC_GOODS = "3220"
    ESCALATOR = "3310"
    MOVING_WALK = "3320"
    EXPLOSION_PROOF = "3410"
    FIREFIGHTER = "3420"
    DUMBWAITER = "3430"

    @property
    def feature_code(self) -> str:
        """The two-digit feature code of the use-registration number (TSG 08-2017, F3)."""
        return {
            "3110": "11",
            "3120": "12",
            "3130": "13",
            "3210": "21",
            "3220": "22",
            "3310": "31",
            "3320": "32",
            "3410": "41",
            "3420": "42",
            "3430": "43",
        }[self.value]


class PlaceCategory(StrEnum):
    """Where the elevator serves; all but residential, office, factory, other gather the public."""

    RESIDENTIAL = "residential"
    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    HOSPITAL = "hospital"
    STATION = "station"
    PASSENGER_TERMINAL = "passenger_terminal"
    MALL = "mall"
    STADIUM = "stadium"
    EXHIBITION_HALL = "exhibition_hall"
    PARK = "park"
    SCENIC_SPOT = "scenic_spot"
    OFFICE = "office"
    FACTORY = "factory"
    OTHER = "other"

    @classmethod
    def public_gathering(cls) -> frozenset["PlaceCategory"]:
        """公众聚集场所 (domain-rules 3b; the plan adds 景区)."""
        return frozenset(
            {
                cls.SCHOOL,
                cls.KINDERGARTEN,
                cls.HOSPITAL,
                cls.STATION,
                cls.PASSENGER_TERMINAL,
                cls.MALL,
                cls.STADIUM,
                cls.EXHIBITION_HALL,
                cls.PARK,
                cls.SCENIC_SPOT,
            }
        )


class ElevatorStatus(StrEnum):
    """Registry status; `scrapped` is terminal (TSG 08-2017, 重庆市电梯安全管理办法 第二十四条)."""

    REGISTERED = "registered"
    IN_USE = "in_use"
    SUSPENDED = "suspended"
    SCRAPPED = "scrapped"

    @classmethod
    def commissioned(cls) -> frozenset["ElevatorStatus"]:
        """Statuses that imply the elevator has been put into use at some point."""
        return frozenset({cls.IN_USE, cls.SUSPENDED})


class StreetKind(StrEnum):
    """街道 (urban subdistrict) or 镇 (town)."""

    SUBDISTRICT = "subdistrict"
    TOWN = "town"


class ContractMode(StrEnum):
    """Maintenance modes: regular every 15 days, on-demand 按需维保, full 全包, major 大包."""

    REGULAR = "regular"
    ON_DEMAND = "on_demand"
    FULL_PACKAGE = "full_package"
    MAJOR_PACKAGE = "major_package"


class WarrantyScope(StrEnum):
    """Whole unit, or one of the five major parts of plan §三(七)1."""

    WHOLE_UNIT = "whole_unit"
    TRACTION_MACHINE = "traction_machine"
    DOOR_OPERATOR = "door_operator"
    SAFETY_GEAR = "safety_gear"
    OVERSPEED_GOVERNOR = "overspeed_governor"
    CONTROL_CABINET = "control_cabinet"

    @classmethod
    def major_parts(cls) -> frozenset["WarrantyScope"]:
        """曳引机、门机、安全钳、限速器、控制柜."""
        return frozenset(set(cls) - {cls.WHOLE_UNIT})


class WarrantyContext(StrEnum):
    """Why the warranty was given; decides which minimum applies."""

    SUBSIDISED_RENOVATION = "subsidised_renovation"
    NEW_INSTALLATION = "new_installation"
    OTHER = "other"
