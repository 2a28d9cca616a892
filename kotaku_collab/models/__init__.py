"""All models, importable from one place."""

from kotaku_collab.models.api_token import ApiToken
from kotaku_collab.models.audit import AuditEvent
from kotaku_collab.models.base import Base, utc_now
from kotaku_collab.models.commitment import (Commitment, CommitmentStatus, CommitmentType,
                                             CommitmentUpdate, EvidenceFile, FundingSource, Scale,
                                             Verification, VerificationDecision)
from kotaku_collab.models.data_version import DataVersion
from kotaku_collab.models.indicator import (IndicatorKind, RegionIndicator, SlumArea,
                                            SlumAreaLocation, SlumLevel)
from kotaku_collab.models.minutes import (Amendment, Ballot, IssueVote, Minutes, MinutesStatus,
                                          VoteSession, VoteStatus)
from kotaku_collab.models.notification import Notification, NotificationKind
from kotaku_collab.models.organisation import Gender, Organisation, OrganisationSubtype, Person, Sector
from kotaku_collab.models.outcome import (AgreementPoint, Aspect, Cadence, CoordinationMechanism,
                                          IssueAspect, MechanismMeeting, MechanismType,
                                          StrategicIssue)
from kotaku_collab.models.region import PROVINCE_TIMEZONES, Region, RegionLevel
from kotaku_collab.models.registration import (AttendanceStatus, ParticipantRole, Registration,
                                               RegistrationStatus)
from kotaku_collab.models.user import Role, User
from kotaku_collab.models.workshop import (AgendaItem, OrganiserRole, SessionType, Workshop,
                                           WorkshopKind, WorkshopOrganiser, WorkshopStatus)

__all__ = [
    "AgendaItem", "ApiToken", "AgreementPoint", "Amendment", "Aspect", "Ballot", "IssueVote", "Minutes",
    "MinutesStatus", "VoteSession", "VoteStatus", "AttendanceStatus", "AuditEvent", "Base", "Cadence",
    "Commitment", "CommitmentStatus", "CommitmentType", "CommitmentUpdate",
    "CoordinationMechanism", "DataVersion", "EvidenceFile", "FundingSource", "Gender", "IndicatorKind",
    "IssueAspect", "MechanismMeeting", "MechanismType", "Notification", "NotificationKind", "Organisation", "OrganisationSubtype",
    "OrganiserRole", "PROVINCE_TIMEZONES", "ParticipantRole", "Person", "Region",
    "RegionIndicator", "RegionLevel", "Registration", "RegistrationStatus", "Role", "Scale",
    "Sector", "SessionType", "SlumArea", "SlumAreaLocation", "SlumLevel", "StrategicIssue", "User",
    "Verification", "VerificationDecision", "Workshop", "WorkshopKind", "WorkshopOrganiser",
    "WorkshopStatus", "utc_now",
]
