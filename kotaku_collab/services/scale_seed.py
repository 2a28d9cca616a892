"""A deterministic, national-scale synthetic dataset for benchmarks (`flask kotaku seed-scale`).

At scale 1.0: 270 kabupaten/kota with their kecamatan and kelurahan, 5,400 organisations,
3,000 workshops, 120,000 registrations, 200,000 commitments and 400,000 progress updates, plus
issues, mechanisms, agreement points and four benchmark accounts. Every count scales with
`scale` (at least two kab/kota and one of everything a workshop needs).

Rows are written with bulk `INSERT ... executemany` in chunks, never one ORM object at a time.
Core inserts do not pass through `session.new`, so the audit listener (audit.py, which looks at
flushed objects) records nothing for them: a synthetic dataset is not a history worth keeping.

The same `seed`, `scale` and `today` always give the same rows. Dates are placed relative to
`today` so that some workshops are still open for registration whenever the data is made.

Consistency kept by construction (and tested in tests/services/test_scale_seed.py):
- `workshops.seats_taken` equals the workshop's confirmed registrations in a seat-taking role;
  the rest of the seat-takers are waitlisted with positions 1, 2, ...;
- a commitment's status, percentage and `last_update_at` are those of its latest update
  (services/commitments.py `sync_from_latest`).
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kotaku_collab.models import (PROVINCE_TIMEZONES, AgendaItem, AgreementPoint, ApiToken,
                                  Aspect, AttendanceStatus, Cadence, Commitment,
                                  CommitmentStatus, CommitmentType, CommitmentUpdate,
                                  CoordinationMechanism, FundingSource, IssueAspect,
                                  MechanismMeeting, MechanismType, Organisation,
                                  OrganisationSubtype, OrganiserRole, ParticipantRole, Person,
                                  Region, RegionLevel, Registration, RegistrationStatus, Role,
                                  Scale, Sector, SessionType, SlumArea, StrategicIssue, User,
                                  Verification, VerificationDecision, Workshop, WorkshopKind,
                                  WorkshopOrganiser, WorkshopStatus)
from kotaku_collab.models.commitment import commitment_issues
from kotaku_collab.models.outcome import agreement_issues, mechanism_members
from kotaku_collab.passwords import PasswordHashing
from kotaku_collab.services import DomainError

#: The shared password of the benchmark accounts (why the command is refused in production).
BENCH_PASSWORD = "Bench-Kotaku-Scale-2026"
DEFAULT_SEED = 20191
CHUNK = 20_000

#: Counts at scale 1.0.
FULL = {"kabkota": 270, "workshops": 3_000, "registrations": 120_000,
        "commitments": 200_000, "commitment_updates": 400_000}
KECAMATAN_PER_KABKOTA = 3
KELURAHAN_PER_KECAMATAN = 4
ORGANISATIONS_PER_KABKOTA = 20
ISSUES_PER_WORKSHOP = 5
AGREEMENTS_PER_WORKSHOP = 3
AGENDA_PER_WORKSHOP = 5
MEETINGS_PER_MECHANISM = 2
#: The workshop the benchmark opens as organiser has exactly this many registrations.
BENCH_PARTICIPANTS = 40
#: Published workshops kept open for the registration benchmark, with room for many sign-ups.
OPEN_FOR_BENCH = 4
OPEN_CAPACITY = 5_000

PROGRESSION = [CommitmentStatus.DIUSULKAN, CommitmentStatus.DISEPAKATI,
               CommitmentStatus.DIANGGARKAN, CommitmentStatus.DILAKSANAKAN,
               CommitmentStatus.SELESAI]
FIRST_NAMES = ["Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gede", "Hendra", "Indah",
               "Joko", "Kadek", "Lestari", "Made", "Nyoman", "Putu", "Rina", "Sari", "Teguh",
               "Wayan", "Yuni"]
LAST_NAMES = ["Santoso", "Wijaya", "Pratama", "Saputra", "Hidayat", "Lestari", "Kusuma",
              "Setiawan", "Nugroho", "Suryani", "Purnama", "Wibowo"]
ORG_KINDS = [
    (Sector.PEMERINTAH, OrganisationSubtype.OPD, "Dinas Perumahan dan Kawasan Permukiman"),
    (Sector.PEMERINTAH, OrganisationSubtype.OPD, "Dinas Pekerjaan Umum"),
    (Sector.PEMERINTAH, OrganisationSubtype.OPD, "Bappeda"),
    (Sector.PEMERINTAH, OrganisationSubtype.OPD, "Dinas Lingkungan Hidup"),
    (Sector.PEMERINTAH, OrganisationSubtype.OPD, "Dinas Kesehatan"),
    (Sector.PEMERINTAH, OrganisationSubtype.OPD, "Dinas Sosial"),
    (Sector.DUNIA_USAHA, OrganisationSubtype.BANK, "Bank Pembangunan Daerah"),
    (Sector.DUNIA_USAHA, OrganisationSubtype.BUMN, "PT Persero Wilayah"),
    (Sector.DUNIA_USAHA, OrganisationSubtype.BUMD, "PDAM"),
    (Sector.DUNIA_USAHA, OrganisationSubtype.SWASTA, "PT Usaha Bersama"),
    (Sector.PERGURUAN_TINGGI, OrganisationSubtype.PT, "Universitas"),
    (Sector.PERGURUAN_TINGGI, OrganisationSubtype.PT, "Politeknik"),
    (Sector.FILANTROPI, OrganisationSubtype.BAZNAS_LAZ, "BAZNAS"),
    (Sector.FILANTROPI, OrganisationSubtype.YAYASAN, "Yayasan Peduli"),
    (Sector.MASYARAKAT, OrganisationSubtype.BKM, "BKM Kelurahan"),
    (Sector.MASYARAKAT, OrganisationSubtype.LSM, "LSM Lingkungan"),
    (Sector.MASYARAKAT, OrganisationSubtype.PEMERINTAH_DESA, "Pemerintah Kelurahan"),
    (Sector.MEDIA, OrganisationSubtype.MEDIA, "Radio Komunitas"),
    (Sector.PENDAMPING, OrganisationSubtype.KONSULTAN, "Tim Korkot KOTAKU"),
    (Sector.PENDAMPING, OrganisationSubtype.KONSULTAN, "Fasilitator Kelurahan"),
]
PAST_STATUSES = [WorkshopStatus.HELD, WorkshopStatus.FINALISED, WorkshopStatus.REVIEWED]
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class ScalePlan:
    """How many of each thing to make."""

    kabkota: int
    workshops: int
    registrations: int
    commitments: int
    commitment_updates: int

    @classmethod
    def for_scale(cls, scale: float) -> "ScalePlan":
        if not (0 < scale <= 20):
            raise DomainError("The scale must be above 0 and at most 20.")
        n = {key: max(1, round(value * scale)) for key, value in FULL.items()}
        workshops = max(n["workshops"], 2 + OPEN_FOR_BENCH)
        kabkota = max(2, min(n["kabkota"], workshops))
        return cls(kabkota=kabkota, workshops=workshops,
                   registrations=max(n["registrations"], BENCH_PARTICIPANTS + workshops),
                   commitments=max(n["commitments"], workshops),
                   commitment_updates=n["commitment_updates"])


@dataclass(frozen=True)
class BenchLogin:
    email: str
    role: Role
    scope: str


@dataclass
class ScaleReport:
    """What was made, and the handles a benchmark needs (accounts, ids, codes)."""

    plan: ScalePlan
    counts: dict[str, int] = field(default_factory=dict)
    password: str = BENCH_PASSWORD
    logins: list[BenchLogin] = field(default_factory=list)
    #: Bearer secrets of the benchmark API tokens (email → secret).
    api_tokens: dict[str, str] = field(default_factory=dict)
    #: A held workshop with exactly BENCH_PARTICIPANTS registrations, issues and mechanisms.
    bench_workshop_id: int = 0
    #: Published workshops open for self-registration (public codes).
    open_workshop_codes: list[str] = field(default_factory=list)
    #: The kab/kota of the bench workshop (the organiser's and kab/kota reviewer's scope).
    bench_kabkota: str = ""

    def as_dict(self) -> dict:
        return {"counts": self.counts, "password": self.password,
                "logins": [{"email": l.email, "role": l.role.value, "scope": l.scope}
                           for l in self.logins],
                "api_tokens": self.api_tokens, "bench_workshop_id": self.bench_workshop_id,
                "open_workshop_codes": self.open_workshop_codes,
                "bench_kabkota": self.bench_kabkota}


def seed_scale(session: Session, hasher: PasswordHashing, *, scale: float = 1.0,
               seed: int = DEFAULT_SEED, today: date | None = None) -> ScaleReport:
    """Write the dataset into an empty database; flushes, never commits."""
    plan = ScalePlan.for_scale(scale)
    for model in (Region, Organisation, Person, Workshop):
        if session.scalar(select(func.count()).select_from(model)):
            raise DomainError(
                f"seed-scale needs an empty database, but the table {model.__tablename__} "
                "already has rows. Use a new database (for example DATABASE_URL=sqlite:///"
                "bench.db) and run `flask db upgrade` first.")
    builder = _Builder(session, plan, random.Random(seed), today or date.today())
    report = builder.build(hasher)
    session.flush()
    return report


def _chunks(rows: list[dict]):
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def _split(total: int, parts: int, rng: random.Random, spread: int) -> list[int]:
    """`parts` counts summing to `total`, each at least 0, varied in pairs by up to ±spread."""
    base, rest = divmod(total, parts)
    counts = [base + (1 if i < rest else 0) for i in range(parts)]
    for i in range(0, parts - 1, 2):
        d = rng.randint(0, min(spread, counts[i + 1]))
        counts[i] += d
        counts[i + 1] -= d
    return counts


def _at(day: date, hh: int, mm: int, zone: str) -> datetime:
    return datetime.combine(day, time(hh, mm), ZoneInfo(zone)).astimezone(timezone.utc)


def _code(prefix: str, number: int, width: int = 8) -> str:
    """A deterministic public code, one character longer than random ones so they never clash."""
    chars = []
    for _ in range(width):
        number, digit = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    return prefix + "".join(reversed(chars))


@dataclass
class _KabKota:
    code: str
    name: str
    zone: str
    kelurahan: list[str] = field(default_factory=list)
    organisations: list[tuple[int, Sector]] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    slum_area_id: int | None = None


class _Builder:
    def __init__(self, session: Session, plan: ScalePlan, rng: random.Random, today: date):
        self.session = session
        self.plan = plan
        self.rng = rng
        self.today = today
        self.now = datetime.combine(today, time(9, 0), timezone.utc)
        self.report = ScaleReport(plan=plan)
        self.kabkota: list[_KabKota] = []
        self.person_org: dict[int, tuple[int, Sector]] = {}

    def insert(self, table, rows: list[dict]) -> None:
        name = table.name
        self.report.counts[name] = self.report.counts.get(name, 0) + len(rows)
        for chunk in _chunks(rows):
            self.session.execute(insert(table), chunk)

    def build(self, hasher: PasswordHashing) -> ScaleReport:
        self.regions()
        self.organisations_and_people()
        workshops = self.workshops()
        self.registrations(workshops)
        issues = self.outcomes(workshops)
        self.commitments(workshops, issues)
        self.accounts(hasher)
        if self.session.get_bind().dialect.name == "postgresql":
            self.advance_sequences()
        return self.report

    # --- Regions, organisations, people -----------------------------------------------------

    def regions(self) -> None:
        provinces = sorted(PROVINCE_TIMEZONES)
        per_province = math.ceil(self.plan.kabkota / len(provinces))
        rows, used = [], set()
        for i in range(self.plan.kabkota):
            province = provinces[i % len(provinces)]
            if province not in used:
                used.add(province)
                rows.append({"code": province, "bps_code": province, "name": f"Provinsi {province}",
                             "level": RegionLevel.PROVINSI, "parent_code": None,
                             "timezone": PROVINCE_TIMEZONES[province]})
        # Parents first: provinces, then kab/kota, kecamatan, kelurahan.
        by_level: dict[RegionLevel, list[dict]] = {level: [] for level in RegionLevel}
        counters: dict[str, int] = {}
        for i in range(self.plan.kabkota):
            province = provinces[i % len(provinces)]
            zone = PROVINCE_TIMEZONES[province]
            counters[province] = counters.get(province, 0) + 1
            n = counters[province]
            is_kota = n % 4 == 0  # roughly one kota for three kabupaten
            number = 70 + n if is_kota else n
            assert number < 100 and per_province < 30
            code = f"{province}.{number:02d}"
            name = f"{'Kota' if is_kota else 'Kabupaten'} Sampel {code}"
            by_level[RegionLevel.KOTA if is_kota else RegionLevel.KABUPATEN].append(
                {"code": code, "bps_code": code.replace(".", ""), "name": name,
                 "level": RegionLevel.KOTA if is_kota else RegionLevel.KABUPATEN,
                 "parent_code": province, "timezone": zone})
            kk = _KabKota(code=code, name=name, zone=zone)
            for c in range(1, KECAMATAN_PER_KABKOTA + 1):
                kec = f"{code}.{c:02d}"
                by_level[RegionLevel.KECAMATAN].append(
                    {"code": kec, "bps_code": kec.replace(".", ""), "name": f"Kecamatan {kec}",
                     "level": RegionLevel.KECAMATAN, "parent_code": code, "timezone": zone})
                for v in range(1, KELURAHAN_PER_KECAMATAN + 1):
                    kel = f"{kec}.{1000 + v}"
                    by_level[RegionLevel.KELURAHAN].append(
                        {"code": kel, "bps_code": kel.replace(".", ""),
                         "name": f"Kelurahan {kel}", "level": RegionLevel.KELURAHAN,
                         "parent_code": kec, "timezone": zone})
                    kk.kelurahan.append(kel)
            self.kabkota.append(kk)
        for level in (RegionLevel.KABUPATEN, RegionLevel.KOTA, RegionLevel.KECAMATAN,
                      RegionLevel.KELURAHAN):
            rows.extend(by_level[level])
        self.insert(Region.__table__, rows)
        areas = []
        for i, kk in enumerate(self.kabkota, start=1):
            kk.slum_area_id = i
            areas.append({"id": i, "region_code": kk.code, "name": f"Kawasan kumuh {kk.code}",
                          "sk_year": 2016, "area_ha": round(self.rng.uniform(10, 120), 2),
                          "is_example": True, "created_at": self.now})
        self.insert(SlumArea.__table__, areas)

    def organisations_and_people(self) -> None:
        org_rows, people_rows = [], []
        max_per_workshop = BENCH_PARTICIPANTS + 30
        per_kabkota = max(math.ceil(self.plan.registrations / 2 / self.plan.kabkota),
                          max_per_workshop)
        org_id = person_id = 0
        for kk in self.kabkota:
            for sector, subtype, base in ORG_KINDS[:ORGANISATIONS_PER_KABKOTA]:
                org_id += 1
                name = f"{base} {kk.name.split(' ', 1)[1]}"
                org_rows.append({"id": org_id, "name": name, "normalised_name": name.lower(),
                                 "sector": sector, "subtype": subtype, "region_code": kk.code,
                                 "created_at": self.now})
                kk.organisations.append((org_id, sector))
            for _ in range(per_kabkota):
                person_id += 1
                organisation = self.rng.choice(kk.organisations)
                self.person_org[person_id] = organisation
                people_rows.append({
                    "id": person_id,
                    "name": f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}",
                    "organisation_id": organisation[0], "position": "Staf",
                    "phone": f"+62812{person_id:08d}",
                    "email": f"peserta{person_id}@sampel.example", "is_example": True,
                    "created_at": self.now})
                kk.people.append(person_id)
        self.insert(Organisation.__table__, org_rows)
        self.insert(Person.__table__, people_rows)

    # --- Workshops and registrations -----------------------------------------------------------

    def workshops(self) -> list[dict]:
        rows, organisers, agenda = [], [], []
        kinds = list(WorkshopKind)
        agenda_id = 0
        for i in range(self.plan.workshops):
            wid = i + 1
            kk = self.kabkota[i % len(self.kabkota)]
            if i == 0:
                status = WorkshopStatus.HELD
            elif 1 <= i <= OPEN_FOR_BENCH:
                status = WorkshopStatus.PUBLISHED
            else:
                roll = self.rng.random()
                status = (WorkshopStatus.PUBLISHED if roll < 0.10 else
                          WorkshopStatus.DRAFT if roll < 0.13 else
                          WorkshopStatus.CANCELLED if roll < 0.15 else
                          self.rng.choice(PAST_STATUSES))
            future = status in (WorkshopStatus.PUBLISHED, WorkshopStatus.DRAFT)
            day = (self.today + timedelta(days=self.rng.randint(14, 120)) if future
                   else self.today - timedelta(days=self.rng.randint(7, 2000)))
            starts, ends = _at(day, 8, 30, kk.zone), _at(day, 16, 0, kk.zone)
            rows.append({
                "id": wid, "code": _code("S", wid), "title": f"Lokakarya Kolaborasi {kk.name} #{wid}",
                "kind": WorkshopKind.LOKAKARYA_KOLABORASI if i < 5 else kinds[i % len(kinds)],
                "region_code": kk.code, "venue": f"Aula Bappeda {kk.name}",
                "starts_at": starts, "ends_at": ends, "capacity": 1, "seats_taken": 0,
                "registration_opens_at": self.now - timedelta(days=30) if future else None,
                "registration_closes_at": starts - timedelta(days=1) if future else None,
                "objectives": ["Menyepakati isu strategis", "Menghimpun komitmen pemangku kepentingan"],
                "status": status, "sector_targets": {},
                "cancel_reason": "Dijadwalkan ulang" if status is WorkshopStatus.CANCELLED else None,
                "data_note": "Data sintetis untuk uji beban.",
                "created_at": starts - timedelta(days=70), "updated_at": starts - timedelta(days=70),
                "_kk": kk, "_future": future})
            organisers.append({"workshop_id": wid, "organisation_id": kk.organisations[2][0],
                               "role": OrganiserRole.PENYELENGGARA})
            organisers.append({"workshop_id": wid, "organisation_id": kk.organisations[18][0],
                               "role": OrganiserRole.FASILITATOR})
            for position in range(AGENDA_PER_WORKSHOP):
                agenda_id += 1
                session_type = list(SessionType)[position % len(SessionType)]
                begin = starts + timedelta(minutes=90 * position)
                agenda.append({"id": agenda_id, "workshop_id": wid, "position": position,
                               "starts_at": begin, "ends_at": begin + timedelta(minutes=80),
                               "title": f"Sesi {position + 1}", "session_type": session_type,
                               "moderator_id": kk.people[position]})
        self._organisers, self._agenda = organisers, agenda
        self.report.bench_workshop_id = 1
        self.report.bench_kabkota = rows[0]["_kk"].code
        self.report.open_workshop_codes = [rows[i]["code"] for i in range(1, OPEN_FOR_BENCH + 1)]
        return rows

    def registrations(self, workshops: list[dict]) -> None:
        counts = _split(self.plan.registrations, len(workshops), self.rng, 15)
        # The benchmark's participant list has exactly BENCH_PARTICIPANTS rows.
        delta = BENCH_PARTICIPANTS - counts[0]
        counts[0] += delta
        for j in range(len(counts) - 1, 0, -1):
            take = min(delta, counts[j] - 1) if delta > 0 else delta
            counts[j] -= take
            delta -= take
            if delta == 0:
                break
        rows = []
        reg_id = 0
        roles = ([ParticipantRole.PESERTA] * 90 + [ParticipantRole.UNDANGAN] * 5
                 + [ParticipantRole.NARASUMBER] * 3 + [ParticipantRole.PANITIA] * 2)
        for w, n in zip(workshops, counts):
            kk = w["_kk"]
            n = min(n, len(kk.people))
            people = self.rng.sample(kk.people, n)
            entries = []
            for person_id in people:
                role = self.rng.choice(roles)
                cancelled = self.rng.random() < 0.05
                entries.append((person_id, role, cancelled))
            seat_takers = sum(1 for _, role, cancelled in entries if role.takes_seat and not cancelled)
            # Most workshops fill up and keep a waiting list; the registration benchmark's own
            # workshops have room for every sign-up it sends.
            open_for_bench = 2 <= w["id"] <= OPEN_FOR_BENCH + 1
            capacity = OPEN_CAPACITY if open_for_bench else \
                max(1, min(self.rng.choice([30, 35, 40, 50]), seat_takers))
            taken = position = 0
            past = not w["_future"]
            for k, (person_id, role, cancelled) in enumerate(entries):
                reg_id += 1
                org_id, sector = self.person_org[person_id]
                if cancelled:
                    status, waitlist = RegistrationStatus.CANCELLED, None
                elif not role.takes_seat:
                    status, waitlist = RegistrationStatus.CONFIRMED, None
                elif taken < capacity:
                    taken += 1
                    status, waitlist = RegistrationStatus.CONFIRMED, None
                else:
                    position += 1
                    status, waitlist = RegistrationStatus.WAITLISTED, position
                attendance = checked_in = None
                if past and status is RegistrationStatus.CONFIRMED:
                    roll = self.rng.random()
                    attendance = (AttendanceStatus.HADIR if roll < 0.8 else
                                  AttendanceStatus.IZIN if roll < 0.9 else AttendanceStatus.TIDAK_HADIR)
                    if attendance is AttendanceStatus.HADIR:
                        checked_in = w["starts_at"] - timedelta(minutes=10)
                registered = w["starts_at"] - timedelta(days=30, minutes=-k)
                rows.append({
                    "id": reg_id, "workshop_id": w["id"], "person_id": person_id,
                    "organisation_id": org_id, "sector": sector, "role": role,
                    "status": status, "waitlist_position": waitlist,
                    "code": f"S{reg_id:09d}", "attendance": attendance,
                    "checked_in_at": checked_in, "consent_at": registered,
                    "self_registered": k % 2 == 0, "created_at": registered})
            w["capacity"], w["seats_taken"] = capacity, taken
        self.insert(Workshop.__table__, [{k: v for k, v in w.items() if not k.startswith("_")}
                                         for w in workshops])
        self.insert(WorkshopOrganiser.__table__, self._organisers)
        self.insert(AgendaItem.__table__, self._agenda)
        self.insert(Registration.__table__, rows)

    # --- Outcomes ----------------------------------------------------------------------------

    def outcomes(self, workshops: list[dict]) -> dict[int, list[int]]:
        """Issues, mechanisms (with meetings and members) and agreement points of held workshops."""
        issues, aspects, mechanisms, members, meetings, points, point_issues = [], [], [], [], [], [], []
        by_workshop: dict[int, list[int]] = {}
        issue_id = mech_id = meeting_id = point_id = 0
        aspect_list = list(Aspect)
        for w in workshops:
            if w["status"] not in PAST_STATUSES:
                continue
            kk = w["_kk"]
            ids = []
            for rank in range(1, ISSUES_PER_WORKSHOP + 1):
                issue_id += 1
                ids.append(issue_id)
                issues.append({
                    "id": issue_id, "workshop_id": w["id"],
                    "title": f"Isu strategis {rank}: {aspect_list[(issue_id + rank) % 13].value.replace('_', ' ')}",
                    "location_code": self.rng.choice(kk.kelurahan), "slum_area_id": kk.slum_area_id,
                    "proposed_by_id": self.rng.choice(kk.organisations)[0],
                    "priority": 1 + (rank - 1) % 3, "vote_rank": rank,
                    "vote_count": 30 - 4 * rank, "agreed": rank <= 3, "is_example": True,
                    "created_at": w["starts_at"]})
                aspects.append({"issue_id": issue_id, "aspect": aspect_list[issue_id % 7]})
                if rank % 2:
                    aspects.append({"issue_id": issue_id, "aspect": aspect_list[7 + issue_id % 6]})
            by_workshop[w["id"]] = ids
            mech_id += 1
            mechanisms.append({
                "id": mech_id, "workshop_id": w["id"], "type": MechanismType.FORUM_PKP,
                "name": f"Forum PKP {kk.name}", "lead_organisation_id": kk.organisations[2][0],
                "cadence": self.rng.choice([Cadence.BULANAN, Cadence.TRIWULANAN]),
                "next_meeting_on": self.today + timedelta(days=self.rng.randint(-60, 60)),
                "is_example": True, "created_at": w["starts_at"]})
            for org_id, _sector in self.rng.sample(kk.organisations, 3):
                members.append({"mechanism_id": mech_id, "organisation_id": org_id})
            for m in range(MEETINGS_PER_MECHANISM):
                meeting_id += 1
                meetings.append({"id": meeting_id, "mechanism_id": mech_id,
                                 "held_on": w["starts_at"].date() + timedelta(days=30 * (m + 1)),
                                 "notes": "Rapat rutin", "created_at": w["starts_at"]})
            for number in range(1, AGREEMENTS_PER_WORKSHOP + 1):
                point_id += 1
                points.append({"id": point_id, "workshop_id": w["id"], "number": number,
                               "text": f"Para pihak sepakat menindaklanjuti isu {number}.",
                               "is_example": True, "created_at": w["starts_at"]})
                point_issues.append({"agreement_point_id": point_id, "issue_id": ids[number - 1]})
        self.insert(StrategicIssue.__table__, issues)
        self.insert(IssueAspect.__table__, aspects)
        self.insert(CoordinationMechanism.__table__, mechanisms)
        self.insert(mechanism_members, members)
        self.insert(MechanismMeeting.__table__, meetings)
        self.insert(AgreementPoint.__table__, points)
        self.insert(agreement_issues, point_issues)
        return by_workshop

    # --- Commitments and progress ----------------------------------------------------------------

    def commitments(self, workshops: list[dict], issues: dict[int, list[int]]) -> None:
        held = [w for w in workshops if w["id"] in issues]
        per_workshop = _split(self.plan.commitments, len(held), self.rng, 20)
        updates_per = _split(self.plan.commitment_updates, self.plan.commitments, self.rng, 2)
        types, scales, sources = list(CommitmentType), list(Scale), list(FundingSource)
        rows, links, updates, verifications = [], [], [], []
        cid = uid = vid = 0
        for w, n in zip(held, per_workshop):
            kk = w["_kk"]
            made = w["starts_at"]
            for _ in range(n):
                cid += 1
                org_id, sector = self.rng.choice(kk.organisations)
                n_updates = updates_per[cid - 1]
                status, percent, last_at = CommitmentStatus.DIUSULKAN, 0, None
                for k in range(n_updates):
                    uid += 1
                    last = k == n_updates - 1
                    if last and self.rng.random() < 0.03:
                        status = CommitmentStatus.BATAL
                    else:
                        status = PROGRESSION[min(k + 1 + self.rng.randint(0, 1), len(PROGRESSION) - 1)]
                        percent = 100 if status is CommitmentStatus.SELESAI else \
                            min(95, max(percent, 20 * PROGRESSION.index(status) + self.rng.randint(0, 15)))
                    last_at = made + timedelta(days=60 * (k + 1), minutes=cid % 600)
                    decision = None
                    if not last:
                        decision = VerificationDecision.VERIFIED
                    elif self.rng.random() < 0.3:
                        decision = self.rng.choice([VerificationDecision.VERIFIED,
                                                    VerificationDecision.NEEDS_REVISION])
                    updates.append({"id": uid, "commitment_id": cid, "reported_on": last_at.date(),
                                    "status": status, "percent_complete": percent,
                                    "narrative": "Laporan kemajuan berkala.",
                                    "verification_state": decision, "created_at": last_at})
                    if decision is not None and last:
                        vid += 1
                        verifications.append({"id": vid, "update_id": uid, "decision": decision,
                                              "comment": "Diperiksa Bappeda.",
                                              "created_at": last_at + timedelta(days=3)})
                aspect = self.rng.choice(list(Aspect))
                amount = None if self.rng.random() < 0.2 else self.rng.randrange(5, 5000) * 1_000_000
                rows.append({
                    "id": cid, "organisation_id": org_id, "sector": sector,
                    "workshop_id": w["id"], "region_code": kk.code, "type": self.rng.choice(types),
                    "aspect": aspect, "scale": self.rng.choice(scales),
                    "location_code": self.rng.choice(kk.kelurahan),
                    "title": f"Komitmen {aspect.value.replace('_', ' ')} #{cid}",
                    "volume": None, "unit": None, "amount_idr": amount,
                    "funding_source": None if amount is None else self.rng.choice(sources),
                    "fiscal_year": made.year + 1,
                    "target_date": made.date() + timedelta(days=self.rng.randint(90, 900)),
                    "status": status, "percent_complete": percent, "last_update_at": last_at,
                    "is_example": True, "created_at": made})
                links.append({"commitment_id": cid, "issue_id": self.rng.choice(issues[w["id"]])})
        self.insert(Commitment.__table__, rows)
        self.insert(commitment_issues, links)
        self.insert(CommitmentUpdate.__table__, updates)
        self.insert(Verification.__table__, verifications)

    # --- Accounts -----------------------------------------------------------------------------

    def accounts(self, hasher: PasswordHashing) -> None:
        from kotaku_collab.services.accounts import create_user

        kabkota = self.report.bench_kabkota
        stakeholder_org = self.kabkota[0].organisations[6][0]
        specs = [
            ("organiser@bench.example", "Bench Organiser", Role.ORGANISER, None, [kabkota], False,
             kabkota),
            ("reviewer@bench.example", "Bench Reviewer", Role.REVIEWER, None, [kabkota], False,
             kabkota),
            ("national@bench.example", "Bench National Reviewer", Role.REVIEWER, None, [], True,
             "national"),
            ("stakeholder@bench.example", "Bench Stakeholder", Role.STAKEHOLDER, stakeholder_org,
             [], False, f"organisation {stakeholder_org}"),
        ]
        tokens = []
        for email, name, role, org, regions, national, scope in specs:
            user = create_user(self.session, hasher, email=email, name=name, role=role,
                               password=BENCH_PASSWORD, organisation_id=org,
                               region_codes=regions, is_national=national)
            self.report.logins.append(BenchLogin(email, role, scope))
            if role is Role.REVIEWER:
                secret = "kc_bench" + hashlib.sha256(f"{email}:{self.rng.random()}".encode()).hexdigest()[:40]
                self.report.api_tokens[email] = secret
                tokens.append({"user_id": user.id, "name": "Benchmark",
                               "token_hash": hashlib.sha256(secret.encode()).hexdigest(),
                               "prefix": secret[:9], "created_at": self.now})
        self.report.counts["users"] = len(specs)
        self.insert(ApiToken.__table__, tokens)

    def advance_sequences(self) -> None:
        """Explicit ids leave PostgreSQL's sequences behind; move each past its table's max(id)."""
        for model in (SlumArea, Organisation, Person, Workshop, AgendaItem, Registration,
                      StrategicIssue, CoordinationMechanism, MechanismMeeting, AgreementPoint,
                      Commitment, CommitmentUpdate, Verification):
            highest = select(func.coalesce(func.max(model.id), 1)).scalar_subquery()
            self.session.execute(select(func.setval(
                func.pg_get_serial_sequence(model.__tablename__, "id"), highest)))
