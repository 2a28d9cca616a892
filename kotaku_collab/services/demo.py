"""Demo data: the 2019 workshops in Kabupaten Klungkung and Kota Pasuruan, one upcoming workshop,
slum figures, and one account per role.

Everything is created get-or-create by natural key (region code; organisation normalised name +
region; person name + organisation; account e-mail; slum area region + name; indicator region +
year + kind; workshop code), so running the seed again changes nothing. A workshop's content
(registrations, agenda, issues, mechanisms, agreement points, commitments) is created together
with the workshop and only then.

Facts marked [S] in the domain notes (dates, venues, openers, named officials, participant
counts, hectares in Kota Pasuruan) are kept as sourced; everything inferred (hours, the people
other than the named officials, contact details, issues, commitments and their amounts, the
Klungkung hectare totals) is flagged `is_example=True` or explained in `Workshop.data_note`.
Named officials get no phone number or e-mail address: contact details are invented only for
invented people, and only on reserved example domains.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kotaku_collab.models import (AgendaItem, AgreementPoint, Aspect, AttendanceStatus, Cadence,
                                  Commitment, CommitmentStatus, CommitmentType, CommitmentUpdate,
                                  CoordinationMechanism, FundingSource, Gender, IndicatorKind,
                                  IssueAspect, MechanismMeeting, MechanismType, Organisation,
                                  OrganisationSubtype, OrganiserRole, ParticipantRole, Person,
                                  Region, RegionIndicator, Registration, RegistrationStatus, Role,
                                  Scale, Sector, SessionType, SlumArea, SlumAreaLocation,
                                  SlumLevel, StrategicIssue, User, Verification,
                                  VerificationDecision, Workshop, WorkshopKind, WorkshopOrganiser,
                                  WorkshopStatus, utc_now)
from kotaku_collab.passwords import PasswordHashing
from kotaku_collab.services.accounts import create_user, normalise_email
from kotaku_collab.services.organisations import normalise_name
from kotaku_collab.services.regions import upsert_region

#: The one password of every demo account. Demo data is refused where ALLOW_DEMO_DATA is false
#: (production), so this value never opens a real deployment. It avoids the word "kotaku",
#: which a password policy may ban as a context word.
DEMO_PASSWORD = "contoh-lokakarya-2019"

KLUNGKUNG = "51.05"
KOTA_PASURUAN = "35.75"
KABUPATEN_PASURUAN = "35.14"

#: Fixed public codes (letters and digits from models.workshop.CODE_ALPHABET only).
CODE_KLUNGKUNG_2019 = "DEMKNGKA"
CODE_PASURUAN_2019 = "DEMPSRNB"
CODE_UPCOMING = "DEMKNGKC"

#: The upcoming workshop is this many days after the day the seed first runs, and is moved this
#: far ahead again by a later seed once its registration has closed.
UPCOMING_IN_DAYS = 30
UPCOMING_NOTE = ("Lokakarya contoh untuk mencoba pendaftaran; tanggalnya dimajukan lagi setiap "
                 "kali data demo dimuat setelah pendaftarannya ditutup.")

# --- Regions ----------------------------------------------------------------------------------

#: Parents come before children. Kemendagri codes down to kecamatan in Klungkung are sourced
#: (DOMAIN §6). The order of the six Semarapura kelurahan (1001–1006) follows the domain notes'
#: list and the desa numbers of Gelgel and Lembongan are chosen here: neither is checked against
#: the Kepmendagri list. Kota Pasuruan's kecamatan codes 35.75.01–04 are UNVERIFIED (DOMAIN §6
#: says to load them from the official list) and its kelurahan codes are invented for the demo.
REGIONS: tuple[tuple[str, str], ...] = (
    ("51", "Bali"),
    ("51.05", "Kabupaten Klungkung"),
    ("51.05.01", "Nusa Penida"),
    ("51.05.02", "Banjarangkan"),
    ("51.05.03", "Klungkung"),
    ("51.05.04", "Dawan"),
    ("51.05.03.1001", "Semarapura Kaja"),
    ("51.05.03.1002", "Semarapura Kangin"),
    ("51.05.03.1003", "Semarapura Kauh"),
    ("51.05.03.1004", "Semarapura Klod"),
    ("51.05.03.1005", "Semarapura Klod Kangin"),
    ("51.05.03.1006", "Semarapura Tengah"),
    ("51.05.03.2002", "Gelgel"),
    ("51.05.01.2010", "Lembongan"),
    ("35", "Jawa Timur"),
    ("35.14", "Kabupaten Pasuruan"),
    ("35.75", "Kota Pasuruan"),
    ("35.75.01", "Gadingrejo"),
    ("35.75.02", "Purworejo"),
    ("35.75.03", "Bugul Kidul"),
    ("35.75.04", "Panggungrejo"),
    # The 11 kelurahan of the 2015 slum baseline. Bugul Lor sits under Bugul Kidul as in the
    # 2018 source (S22); the rest under Panggungrejo and Gadingrejo (S20, S21).
    ("35.75.01.1001", "Gadingrejo"),
    ("35.75.03.1001", "Bugul Lor"),
    ("35.75.04.1001", "Panggungrejo"),
    ("35.75.04.1002", "Trajeng"),
    ("35.75.04.1003", "Ngemplakrejo"),
    ("35.75.04.1004", "Kebonsari"),
    ("35.75.04.1005", "Kandangsapi"),
    ("35.75.04.1006", "Mayangan"),
    ("35.75.04.1007", "Mandaranrejo"),
    ("35.75.04.1008", "Bangilan"),
    ("35.75.04.1009", "Tambaan"),
)

KAJA, KANGIN, KAUH = "51.05.03.1001", "51.05.03.1002", "51.05.03.1003"
KLOD_KANGIN, GELGEL, LEMBONGAN = "51.05.03.1005", "51.05.03.2002", "51.05.01.2010"
NGEMPLAKREJO, MANDARANREJO, TAMBAAN = "35.75.04.1003", "35.75.04.1007", "35.75.04.1009"
PASURUAN_BASELINE_KELURAHAN = (
    "35.75.04.1002", NGEMPLAKREJO, "35.75.04.1004", "35.75.04.1005", "35.75.03.1001",
    "35.75.04.1006", MANDARANREJO, "35.75.04.1001", "35.75.04.1008", TAMBAAN, "35.75.01.1001",
)

# --- Organisations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Org:
    key: str
    name: str
    short_name: str | None
    sector: Sector
    subtype: OrganisationSubtype
    region_code: str | None


_PEM, _DU, _PT = Sector.PEMERINTAH, Sector.DUNIA_USAHA, Sector.PERGURUAN_TINGGI
_FIL, _MAS, _PEN = Sector.FILANTROPI, Sector.MASYARAKAT, Sector.PENDAMPING
_S = OrganisationSubtype

ORGANISATIONS: tuple[_Org, ...] = (
    # National and provincial
    _Org("nas.ditpkp", "Direktorat Pengembangan Kawasan Permukiman, Ditjen Cipta Karya, "
         "Kementerian PUPR", "Dit. PKP Ditjen Cipta Karya", _PEM, _S.KEMENTERIAN, None),
    _Org("bali.bppw", "Balai Prasarana Permukiman Wilayah Bali", "BPPW Bali", _PEM,
         _S.KEMENTERIAN, "51"),
    _Org("bali.satker", "Satuan Kerja Pengembangan Kawasan Permukiman Provinsi Bali",
         "Satker PKP Bali", _PEM, _S.KEMENTERIAN, "51"),
    _Org("bali.osp", "OSP KOTAKU Provinsi Bali", None, _PEN, _S.KONSULTAN, "51"),
    _Org("bali.pln", "PT PLN (Persero) UP3 Bali Timur", "PLN UP3 Bali Timur", _DU, _S.BUMN, "51"),
    _Org("bali.unud", "Universitas Udayana", "Unud", _PT, _S.PT, "51"),
    _Org("bali.unwar", "Universitas Warmadewa", "Unwar", _PT, _S.PT, "51"),
    _Org("jatim.bppw", "Balai Prasarana Permukiman Wilayah Jawa Timur", "BPPW Jawa Timur", _PEM,
         _S.KEMENTERIAN, "35"),
    _Org("jatim.osp", "OSP 4 KOTAKU Provinsi Jawa Timur", "OSP 4 Jatim", _PEN, _S.KONSULTAN, "35"),
    _Org("jatim.its", "Institut Teknologi Sepuluh Nopember", "ITS Surabaya", _PT, _S.PT, "35"),
    # Kabupaten Klungkung
    _Org("klk.pemkab", "Pemerintah Kabupaten Klungkung", "Pemkab Klungkung", _PEM, _S.OPD,
         KLUNGKUNG),
    _Org("klk.baperlitbang", "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah "
         "Kabupaten Klungkung", "Baperlitbang Klungkung", _PEM, _S.OPD, KLUNGKUNG),
    _Org("klk.puprpkp", "Dinas Pekerjaan Umum, Penataan Ruang, Perumahan dan Kawasan Permukiman "
         "Kabupaten Klungkung", "Dinas PUPRPKP Klungkung", _PEM, _S.OPD, KLUNGKUNG),
    _Org("klk.bpkpd", "Badan Pengelola Keuangan dan Pendapatan Daerah Kabupaten Klungkung",
         "BPKPD Klungkung", _PEM, _S.OPD, KLUNGKUNG),
    _Org("klk.dlh", "Dinas Lingkungan Hidup Kabupaten Klungkung", "DLH Klungkung", _PEM, _S.OPD,
         KLUNGKUNG),
    _Org("klk.dinkes", "Dinas Kesehatan Kabupaten Klungkung", "Dinkes Klungkung", _PEM, _S.OPD,
         KLUNGKUNG),
    _Org("klk.dpmd", "Dinas Pemberdayaan Masyarakat dan Desa Kabupaten Klungkung",
         "Dinas PMD Klungkung", _PEM, _S.OPD, KLUNGKUNG),
    _Org("klk.bpbd", "Badan Penanggulangan Bencana Daerah Kabupaten Klungkung",
         "BPBD/Damkar Klungkung", _PEM, _S.OPD, KLUNGKUNG),
    _Org("klk.satpolpp", "Satuan Polisi Pamong Praja Kabupaten Klungkung", "Satpol PP Klungkung",
         _PEM, _S.OPD, KLUNGKUNG),
    _Org("klk.kec_klungkung", "Kecamatan Klungkung", None, _PEM, _S.OPD, "51.05.03"),
    _Org("klk.kec_nusapenida", "Kecamatan Nusa Penida", None, _PEM, _S.OPD, "51.05.01"),
    _Org("klk.kel_kaja", "Kelurahan Semarapura Kaja", None, _PEM, _S.PEMERINTAH_DESA, KAJA),
    _Org("klk.kel_kangin", "Kelurahan Semarapura Kangin", None, _PEM, _S.PEMERINTAH_DESA, KANGIN),
    _Org("klk.kel_kauh", "Kelurahan Semarapura Kauh", None, _PEM, _S.PEMERINTAH_DESA, KAUH),
    _Org("klk.kel_klodkangin", "Kelurahan Semarapura Klod Kangin", None, _PEM,
         _S.PEMERINTAH_DESA, KLOD_KANGIN),
    _Org("klk.desa_gelgel", "Pemerintah Desa Gelgel", None, _PEM, _S.PEMERINTAH_DESA, GELGEL),
    _Org("klk.desa_lembongan", "Pemerintah Desa Lembongan", None, _PEM, _S.PEMERINTAH_DESA,
         LEMBONGAN),
    _Org("klk.bpn", "Kantor Pertanahan Kabupaten Klungkung", "BPN Klungkung", _PEM,
         _S.INSTANSI_VERTIKAL, KLUNGKUNG),
    _Org("klk.tim_kotaku", "Tim Pendamping KOTAKU Kabupaten Klungkung", "Tim KOTAKU Klungkung",
         _PEN, _S.KONSULTAN, KLUNGKUNG),
    _Org("klk.pdam", "PDAM Tirta Mahottama Kabupaten Klungkung", "PDAM Tirta Mahottama", _DU,
         _S.BUMD, KLUNGKUNG),
    _Org("klk.bpd", "PT Bank Pembangunan Daerah Bali Cabang Semarapura",
         "Bank BPD Bali Cab. Semarapura", _DU, _S.BANK, KLUNGKUNG),
    _Org("klk.phri", "Perhimpunan Hotel dan Restoran Indonesia Kabupaten Klungkung",
         "PHRI Klungkung", _DU, _S.SWASTA, KLUNGKUNG),
    _Org("klk.baznas", "Badan Amil Zakat Nasional Kabupaten Klungkung", "Baznas Klungkung", _FIL,
         _S.BAZNAS_LAZ, KLUNGKUNG),
    _Org("klk.padma", "Yayasan Padma Bhakti Pertiwi", None, _FIL, _S.YAYASAN, KLUNGKUNG),
    _Org("klk.jci", "JCI Semarapura", None, _FIL, _S.LSM, KLUNGKUNG),
    _Org("klk.bkm_kaja", "BKM Kelurahan Semarapura Kaja", None, _MAS, _S.BKM, KAJA),
    _Org("klk.bkm_kangin", "BKM Kelurahan Semarapura Kangin", None, _MAS, _S.BKM, KANGIN),
    _Org("klk.bkm_kauh", "BKM Kelurahan Semarapura Kauh", None, _MAS, _S.BKM, KAUH),
    _Org("klk.bkm_klodkangin", "BKM Kelurahan Semarapura Klod Kangin", None, _MAS, _S.BKM,
         KLOD_KANGIN),
    _Org("klk.bkm_gelgel", "BKM Desa Gelgel", None, _MAS, _S.BKM, GELGEL),
    _Org("klk.fka_bkm", "FKA BKM Kabupaten Klungkung", None, _MAS, _S.BKM, KLUNGKUNG),
    # Kota Pasuruan
    _Org("psr.setda", "Sekretariat Daerah Kota Pasuruan", "Setda Kota Pasuruan", _PEM, _S.OPD,
         KOTA_PASURUAN),
    _Org("psr.bappeda", "Badan Perencanaan Pembangunan Daerah Kota Pasuruan",
         "Bappeda Kota Pasuruan", _PEM, _S.OPD, KOTA_PASURUAN),
    _Org("psr.dprkp", "Dinas Perumahan Rakyat dan Kawasan Permukiman Kota Pasuruan",
         "DPRKP Kota Pasuruan", _PEM, _S.OPD, KOTA_PASURUAN),
    _Org("psr.pupr", "Dinas Pekerjaan Umum dan Penataan Ruang Kota Pasuruan",
         "Dinas PUPR Kota Pasuruan", _PEM, _S.OPD, KOTA_PASURUAN),
    _Org("psr.dlh", "Dinas Lingkungan Hidup Kota Pasuruan", "DLH Kota Pasuruan", _PEM, _S.OPD,
         KOTA_PASURUAN),
    _Org("psr.dinkes", "Dinas Kesehatan Kota Pasuruan", "Dinkes Kota Pasuruan", _PEM, _S.OPD,
         KOTA_PASURUAN),
    _Org("psr.perikanan", "Dinas Perikanan Kota Pasuruan", None, _PEM, _S.OPD, KOTA_PASURUAN),
    _Org("psr.satpolpp", "Satuan Polisi Pamong Praja Kota Pasuruan", "Satpol PP Kota Pasuruan",
         _PEM, _S.OPD, KOTA_PASURUAN),
    _Org("psr.kec_panggungrejo", "Kecamatan Panggungrejo", None, _PEM, _S.OPD, "35.75.04"),
    _Org("psr.kec_gadingrejo", "Kecamatan Gadingrejo", None, _PEM, _S.OPD, "35.75.01"),
    _Org("psr.kel_ngemplakrejo", "Kelurahan Ngemplakrejo", None, _PEM, _S.PEMERINTAH_DESA,
         NGEMPLAKREJO),
    _Org("psr.kel_mandaranrejo", "Kelurahan Mandaranrejo", None, _PEM, _S.PEMERINTAH_DESA,
         MANDARANREJO),
    _Org("psr.kel_tambaan", "Kelurahan Tambaan", None, _PEM, _S.PEMERINTAH_DESA, TAMBAAN),
    _Org("psr.bpn", "Kantor Pertanahan Kota Pasuruan", "BPN Kota Pasuruan", _PEM,
         _S.INSTANSI_VERTIKAL, KOTA_PASURUAN),
    _Org("psr.tim_kotaku", "Tim KOTAKU Kota Pasuruan", None, _PEN, _S.KONSULTAN, KOTA_PASURUAN),
    _Org("psr.pdam", "PDAM Kota Pasuruan", None, _DU, _S.BUMD, KOTA_PASURUAN),
    _Org("psr.bank_jatim", "PT Bank Jatim Cabang Pasuruan", "Bank Jatim Cab. Pasuruan", _DU,
         _S.BANK, KOTA_PASURUAN),
    _Org("psr.perikanan_swasta", "Paguyuban Pengusaha Perikanan Pelabuhan Pasuruan (contoh)",
         None, _DU, _S.SWASTA, KOTA_PASURUAN),
    _Org("psr.kadin", "Kamar Dagang dan Industri Kota Pasuruan", "Kadin Kota Pasuruan", _DU,
         _S.SWASTA, KOTA_PASURUAN),
    _Org("psr.unmer", "Universitas Merdeka Pasuruan", "Unmer Pasuruan", _PT, _S.PT,
         KOTA_PASURUAN),
    _Org("psr.baznas", "Badan Amil Zakat Nasional Kota Pasuruan", "Baznas Kota Pasuruan", _FIL,
         _S.BAZNAS_LAZ, KOTA_PASURUAN),
    _Org("psr.forum_bkm", "Forum BKM Kota Pasuruan", None, _MAS, _S.BKM, KOTA_PASURUAN),
    _Org("psr.bkm_ngemplakrejo", "BKM Kelurahan Ngemplakrejo", None, _MAS, _S.BKM, NGEMPLAKREJO),
    _Org("psr.bkm_mandaranrejo", "BKM Kelurahan Mandaranrejo", None, _MAS, _S.BKM, MANDARANREJO),
    # Kabupaten Pasuruan (a different kab/kota from Kota Pasuruan: Yudharta is in Purwosari)
    _Org("kabpsr.yudharta", "Universitas Yudharta Pasuruan", "Yudharta", _PT, _S.PT,
         KABUPATEN_PASURUAN),
)

# --- People -----------------------------------------------------------------------------------

_L, _P = Gender.LAKI_LAKI, Gender.PEREMPUAN
_PESERTA, _NARASUMBER = ParticipantRole.PESERTA, ParticipantRole.NARASUMBER
_MODERATOR, _PANITIA, _PEMBUKA = (ParticipantRole.MODERATOR, ParticipantRole.PANITIA,
                                  ParticipantRole.PEMBUKA)
_HADIR, _IZIN = AttendanceStatus.HADIR, AttendanceStatus.IZIN
_DIWAKILI, _TIDAK_HADIR = AttendanceStatus.DIWAKILI, AttendanceStatus.TIDAK_HADIR


@dataclass(frozen=True)
class _Seat:
    """A person and, for the 2019 workshops, their part in it."""

    org: str
    name: str
    gender: Gender
    position: str
    role: ParticipantRole = _PESERTA
    attendance: AttendanceStatus = _HADIR
    delegate: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    #: Named in a public source (DOMAIN §5.3, §9): kept as is, with no invented contact details.
    sourced: bool = False


#: Workshop A, 29 Oct 2019: the 40 participants of DOMAIN §9.1, in the table's order. By sector:
#: pemerintah 23 (20 local + BPPW Bali 2 + Satker PKP 1), pendamping 2, dunia usaha 5,
#: perguruan tinggi 2, filantropi 2, masyarakat 6. The Wakil Bupati who opened it is not one
#: of the 40 (he is `Workshop.opened_by`).
KLUNGKUNG_2019_SEATS: tuple[_Seat, ...] = (
    _Seat("klk.baperlitbang", "I Wayan Wasta", _L,
          "Kepala Baperlitbang Kabupaten Klungkung, Ketua Pokja PKP", _NARASUMBER,
          suffix="S.E., M.Si.", sourced=True),
    _Seat("klk.baperlitbang", "Ary Susanta Riman", _L,
          "Kepala Sub Bidang Penataan Ruang dan Infrastruktur, Baperlitbang", _NARASUMBER,
          sourced=True),
    _Seat("klk.baperlitbang", "Ni Made Ayu Lestari", _P, "Perencana, Sub Bidang Infrastruktur",
          _PANITIA),
    _Seat("klk.puprpkp", "I Wayan Sukra Wija", _L,
          "Kepala Bidang Perumahan dan Kawasan Permukiman, Dinas PUPRPKP", suffix="S.T., M.T.",
          sourced=True),
    _Seat("klk.puprpkp", "I Ketut Suardana", _L, "Kepala Seksi Penataan Kawasan Permukiman"),
    _Seat("klk.puprpkp", "Ni Putu Eka Sriwahyuni", _P, "Kepala Seksi Drainase", suffix="S.T."),
    _Seat("klk.bpkpd", "I Gusti Ayu Made Sukerti", _P, "Kepala Sub Bidang Anggaran, BPKPD"),
    _Seat("klk.dlh", "I Nyoman Suartana", _L, "Kepala Bidang Pengelolaan Sampah dan Limbah"),
    _Seat("klk.dlh", "Ni Komang Sri Artini", _P, "Kepala Seksi Penanganan Sampah"),
    _Seat("klk.dinkes", "Ni Ketut Ariani", _P, "Kepala Seksi Kesehatan Lingkungan",
          attendance=_DIWAKILI, delegate="Ni Luh Sri Wahyuni"),
    _Seat("klk.dpmd", "I Made Sudiarta", _L, "Kepala Bidang Pemberdayaan Masyarakat Desa"),
    _Seat("klk.bpbd", "I Komang Adi Wirawan", _L, "Kepala Seksi Pemadam Kebakaran"),
    _Seat("klk.satpolpp", "I Nengah Sudarsana", _L, "Kepala Seksi Penegakan Peraturan Daerah",
          attendance=_IZIN),
    _Seat("klk.kec_klungkung", "I Gede Agus Mahendra", _L, "Camat Klungkung"),
    _Seat("klk.kec_nusapenida", "I Kadek Wiryawan", _L, "Camat Nusa Penida"),
    _Seat("klk.kel_kaja", "Ni Wayan Sumiati", _P, "Lurah Semarapura Kaja"),
    _Seat("klk.kel_kauh", "I Made Dwi Antara", _L, "Lurah Semarapura Kauh"),
    _Seat("klk.kel_kangin", "I Putu Gede Darmaja", _L, "Lurah Semarapura Kangin"),
    # Named as lurah in 2018 (S16); that he still held the post in Oct 2019 is inferred.
    _Seat("klk.kel_klodkangin", "I Ketut Muka", _L, "Lurah Semarapura Klod Kangin", sourced=True),
    _Seat("klk.desa_gelgel", "I Putu Arta Wijaya", _L, "Perbekel Desa Gelgel"),
    # "May have sent a representative" (DOMAIN §9.1): shown as represented.
    _Seat("bali.bppw", "I Nyoman Sutresna", _L, "Kepala BPPW Bali", _NARASUMBER,
          attendance=_DIWAKILI, delegate="Ni Luh Gede Ratnasari", sourced=True),
    _Seat("bali.bppw", "I Gusti Ngurah Agung Wiradana", _L,
          "Pejabat Pembuat Komitmen Kawasan Permukiman, BPPW Bali"),
    _Seat("bali.satker", "Nurhadi", _L, "Kepala Satker PKP Provinsi Bali", sourced=True),
    _Seat("klk.tim_kotaku", "I Made Gede Suparta", _L, "Koordinator Kota (Korkot) KOTAKU",
          _MODERATOR),
    _Seat("klk.tim_kotaku", "Ni Kadek Ayu Pratiwi", _P, "Asisten Kota (Askot) Infrastruktur",
          _PANITIA),
    _Seat("klk.pdam", "Nyoman Renin Suyasa", _L, "Direktur PDAM Tirta Mahottama", sourced=True),
    _Seat("klk.pdam", "I Wayan Sudiarsa", _L, "Kepala Bagian Teknik"),
    _Seat("bali.pln", "I Ketut Sumerta", _L, "Asisten Manajer Jaringan, PLN UP3 Bali Timur",
          attendance=_IZIN),
    _Seat("klk.bpd", "Ni Putu Ayu Kusumawati", _P, "Pemimpin Cabang Semarapura"),
    _Seat("klk.phri", "I Nyoman Sukadana", _L, "Pengurus PHRI, pelaku wisata Nusa Lembongan"),
    _Seat("bali.unud", "I Made Adhi Surya", _L,
          "Dosen Program Studi Perencanaan Wilayah dan Kota, Fakultas Teknik", prefix="Dr.",
          suffix="S.T., M.T."),
    _Seat("bali.unwar", "Ni Nyoman Widiastuti", _P, "Dosen Fakultas Teknik dan Perencanaan",
          suffix="S.T., M.T."),
    _Seat("klk.baznas", "Moh. Sholeh", _L, "Wakil Ketua Baznas Kabupaten Klungkung", prefix="H."),
    _Seat("klk.padma", "Ni Luh Putu Sugiantari", _P, "Ketua Yayasan Padma Bhakti Pertiwi"),
    _Seat("klk.bkm_kaja", "I Wayan Suarta", _L, "Koordinator BKM Semarapura Kaja"),
    _Seat("klk.bkm_kauh", "I Made Suwitra", _L, "Koordinator BKM Semarapura Kauh"),
    _Seat("klk.bkm_kangin", "Ni Nyoman Rusmini", _P, "Koordinator BKM Semarapura Kangin"),
    _Seat("klk.bkm_klodkangin", "I Ketut Sudarma", _L, "Koordinator BKM Semarapura Klod Kangin"),
    _Seat("klk.bkm_gelgel", "I Nengah Wijana", _L, "Koordinator BKM Desa Gelgel"),
    _Seat("klk.fka_bkm", "Ni Komang Budiasih", _P, "Ketua FKA BKM Kabupaten Klungkung"),
)

#: Workshop B, 29 Aug 2019: the 35 participants of DOMAIN §9.2. By sector: pemerintah 22
#: (19 local + Dit. PKP 2 + BPPW Jatim 1), pendamping 2, perguruan tinggi 3 (Unmer, Yudharta,
#: and the academic resource person from ITS), dunia usaha 4, filantropi 1, masyarakat 3.
PASURUAN_2019_SEATS: tuple[_Seat, ...] = (
    _Seat("psr.setda", "Bahrul Ulum", _L, "Sekretaris Daerah Kota Pasuruan", _PEMBUKA,
          sourced=True),
    _Seat("psr.bappeda", "Endah Kusumawati", _P,
          "Kepala Bidang Infrastruktur dan Pengembangan Wilayah, Bappeda", _NARASUMBER,
          suffix="S.T., M.T."),
    _Seat("psr.bappeda", "Rizky Ardiansyah", _L, "Perencana Pertama, Bidang Infrastruktur",
          _PANITIA),
    # Kadis in Apr 2018 (S22); that she still held the post in Aug 2019 is inferred.
    _Seat("psr.dprkp", "Dwi Ermitasari", _P,
          "Kepala Dinas Perumahan Rakyat dan Kawasan Permukiman", sourced=True),
    _Seat("psr.dprkp", "Uung Maf'udi Dja'far", _L, "Kepala Bidang Kawasan Permukiman, DPRKP",
          _NARASUMBER, sourced=True),
    _Seat("psr.dprkp", "Siti Nur Aini", _P, "Kepala Seksi Penataan Kawasan Permukiman", _PANITIA),
    _Seat("psr.pupr", "Moch. Arif Hidayat", _L, "Kepala Bidang Sumber Daya Air",
          attendance=_DIWAKILI, delegate="Agus Setiawan"),
    _Seat("psr.pupr", "Yuli Astutik", _P, "Kepala Seksi Drainase"),
    _Seat("psr.dlh", "Bambang Sugiarto", _L, "Kepala Bidang Kebersihan dan Persampahan"),
    _Seat("psr.dlh", "Ninik Mardiana", _P, "Kepala Seksi Pengelolaan Limbah"),
    _Seat("psr.dinkes", "Dwi Rahayu Ningsih", _P, "Kepala Seksi Kesehatan Lingkungan"),
    _Seat("psr.perikanan", "Slamet Riyadi", _L, "Kepala Bidang Perikanan Tangkap"),
    _Seat("psr.satpolpp", "Didik Hariyanto", _L, "Kepala Seksi Penegakan Peraturan Daerah",
          attendance=_IZIN),
    _Seat("psr.kec_panggungrejo", "Abdul Rohman", _L, "Camat Panggungrejo"),
    _Seat("psr.kec_gadingrejo", "Heru Prasetyo", _L, "Camat Gadingrejo"),
    _Seat("psr.kel_ngemplakrejo", "Nur Hidayati", _P, "Lurah Ngemplakrejo"),
    _Seat("psr.kel_mandaranrejo", "Samsul Arifin", _L, "Lurah Mandaranrejo"),
    _Seat("psr.kel_tambaan", "Achmad Fauzi", _L, "Lurah Tambaan"),
    _Seat("psr.bpn", "Teguh Santoso", _L, "Kepala Seksi Survei dan Pemetaan"),
    _Seat("nas.ditpkp", "Wahyu Hidayat", _L,
          "Kepala Subdirektorat Kawasan Permukiman Perkotaan, Dit. PKP", _NARASUMBER,
          prefix="Ir.", suffix="M.Sc."),
    _Seat("nas.ditpkp", "Rina Puspitasari", _P, "Staf Subdirektorat Kawasan Permukiman Perkotaan",
          _PANITIA, suffix="S.T."),
    _Seat("jatim.bppw", "Hendro Wibowo", _L,
          "Pejabat Pembuat Komitmen Pengembangan Kawasan Permukiman, BPPW Jawa Timur"),
    _Seat("psr.tim_kotaku", "Eko Budi Santoso", _L, "Koordinator Kota (Korkot) KOTAKU",
          _MODERATOR),
    _Seat("psr.tim_kotaku", "Anik Rahmawati", _P, "Asisten Kota (Askot) Kelembagaan dan Kolaborasi",
          _PANITIA),
    _Seat("jatim.its", "Joko Purnomo", _L, "Dosen Departemen Perencanaan Wilayah dan Kota",
          _NARASUMBER, prefix="Dr. Ir.", suffix="M.T."),
    _Seat("psr.pdam", "Mustofa Kamal", _L, "Kepala Bagian Teknik, PDAM Kota Pasuruan"),
    _Seat("psr.bank_jatim", "Lilik Suryani", _P, "Pemimpin Cabang Pasuruan"),
    _Seat("psr.perikanan_swasta", "Imam Syafi'i", _L, "Ketua Paguyuban", prefix="H."),
    _Seat("psr.kadin", "Fitri Handayani", _P, "Wakil Ketua Kadin Kota Pasuruan",
          attendance=_TIDAK_HADIR),
    _Seat("psr.unmer", "M. Arif Rahman", _L, "Dosen Program Studi Teknik Sipil",
          suffix="S.T., M.T."),
    _Seat("kabpsr.yudharta", "Umi Kulsum", _P, "Kepala LPPM Universitas Yudharta",
          suffix="S.E., M.M."),
    _Seat("psr.baznas", "Mochammad Nur", _L, "Ketua Baznas Kota Pasuruan", prefix="H."),
    _Seat("psr.forum_bkm", "Sugeng Riyanto", _L, "Ketua Forum BKM Kota Pasuruan"),
    _Seat("psr.bkm_ngemplakrejo", "Kholifah", _P, "Koordinator BKM Ngemplakrejo"),
    _Seat("psr.bkm_mandaranrejo", "Moh. Sahlan", _L, "Koordinator BKM Mandaranrejo"),
)

#: People who are in the registry but not among the 2019 participants.
OTHER_PEOPLE: tuple[_Seat, ...] = (
    _Seat("klk.pemkab", "I Made Kasta", _L, "Wakil Bupati Klungkung", sourced=True),
    _Seat("klk.desa_lembongan", "I Ketut Arsana", _L, "Perbekel Desa Lembongan"),
)

ALL_PEOPLE = KLUNGKUNG_2019_SEATS + PASURUAN_2019_SEATS + OTHER_PEOPLE

#: Sector mix of the two 2019 workshops (the demo's participant tables, DOMAIN §9).
KLUNGKUNG_2019_SECTOR_MIX = {Sector.PEMERINTAH: 23, Sector.PENDAMPING: 2, Sector.DUNIA_USAHA: 5,
                             Sector.PERGURUAN_TINGGI: 2, Sector.FILANTROPI: 2,
                             Sector.MASYARAKAT: 6}
PASURUAN_2019_SECTOR_MIX = {Sector.PEMERINTAH: 22, Sector.PENDAMPING: 2, Sector.DUNIA_USAHA: 4,
                            Sector.PERGURUAN_TINGGI: 3, Sector.FILANTROPI: 1,
                            Sector.MASYARAKAT: 3}

# --- Accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Account:
    email: str
    name: str
    role: Role
    region_codes: tuple[str, ...] = ()
    org: str | None = None
    #: What the account can see, for the CLI's table.
    scope: str = ""


DEMO_ACCOUNTS: tuple[_Account, ...] = (
    _Account("admin@kotaku.example", "Admin Demo", Role.ADMIN, scope="everything"),
    _Account("organiser@kotaku.example", "Sekretariat Pokja PKP (demo)", Role.ORGANISER,
             (KLUNGKUNG, KOTA_PASURUAN), scope="Kab. Klungkung, Kota Pasuruan"),
    _Account("reviewer@kotaku.example", "Reviewer Bappeda (demo)", Role.REVIEWER,
             (KLUNGKUNG, KOTA_PASURUAN), scope="Kab. Klungkung, Kota Pasuruan"),
    _Account("reviewer.klungkung@kotaku.example", "Reviewer Baperlitbang Klungkung (demo)",
             Role.REVIEWER, (KLUNGKUNG,), scope="Kab. Klungkung only"),
    _Account("stakeholder@kotaku.example", "PDAM Tirta Mahottama (demo)", Role.STAKEHOLDER,
             org="klk.pdam", scope="PDAM Tirta Mahottama's commitments"),
)

# --- Report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: Role
    password: str
    scope: str


@dataclass
class SeedReport:
    """What a seed run created (by kind) and the demo logins that exist afterwards."""

    created: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    #: Changes to existing demo rows, said aloud by the CLI (the upcoming workshop moved ahead).
    notes: list[str] = field(default_factory=list)

    def add(self, kind: str, n: int = 1) -> None:
        if n:
            self.created[kind] = self.created.get(kind, 0) + n

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def nothing_new(self) -> bool:
        return self.total_created == 0


# --- The seed ---------------------------------------------------------------------------------


@dataclass
class _Context:
    session: Session
    report: SeedReport
    now: datetime
    orgs: dict[str, Organisation] = field(default_factory=dict)
    people: dict[tuple[str, str], Person] = field(default_factory=dict)
    areas: dict[str, SlumArea] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def person(self, org_key: str, name: str) -> Person:
        return self.people[(org_key, name)]


def seed_demo(session: Session, hasher: PasswordHashing, *,
              now: datetime | None = None) -> SeedReport:
    """Create the demo data that is missing; flushes, never commits. Safe to run repeatedly."""
    ctx = _Context(session=session, report=SeedReport(), now=now or utc_now())
    _seed_regions(ctx)
    _seed_organisations(ctx)
    _seed_people(ctx)
    _seed_slum_data(ctx)
    _seed_accounts(ctx, hasher)
    _seed_workshop(ctx, CODE_KLUNGKUNG_2019, _build_klungkung_2019)
    _seed_workshop(ctx, CODE_PASURUAN_2019, _build_pasuruan_2019)
    _seed_workshop(ctx, CODE_UPCOMING, _build_upcoming)
    _keep_upcoming_ahead(ctx)
    session.flush()
    return ctx.report


def _seed_regions(ctx: _Context) -> None:
    existing = set(ctx.session.scalars(
        select(Region.code).where(Region.code.in_([code for code, _name in REGIONS]))))
    for code, name in REGIONS:
        if code not in existing:
            upsert_region(ctx.session, code, name)
            ctx.report.add("regions")


def _seed_organisations(ctx: _Context) -> None:
    wanted = {normalise_name(spec.name) for spec in ORGANISATIONS}
    found = {(org.normalised_name, org.region_code): org for org in ctx.session.scalars(
        select(Organisation).where(Organisation.normalised_name.in_(wanted))
        .order_by(Organisation.id))}
    for spec in ORGANISATIONS:
        normalised = normalise_name(spec.name)
        org = found.get((normalised, spec.region_code))
        if org is None:
            org = Organisation(name=spec.name, normalised_name=normalised,
                               short_name=spec.short_name, sector=spec.sector,
                               subtype=spec.subtype, region_code=spec.region_code)
            ctx.session.add(org)
            found[(normalised, spec.region_code)] = org
            ctx.report.add("organisations")
        ctx.orgs[spec.key] = org
    ctx.session.flush()


def _email_domain(region_code: str | None) -> str:
    """A reserved (RFC 2606 .example) domain that still says where the person works."""
    if region_code is None:
        return "pu.example"
    for prefix, domain in ((KLUNGKUNG, "klungkung.example"), ("51", "bali.example"),
                           (KOTA_PASURUAN, "pasuruan.example"),
                           (KABUPATEN_PASURUAN, "pasuruankab.example"), ("35", "jatim.example")):
        if region_code == prefix or region_code.startswith(prefix + "."):
            return domain
    return "contoh.example"


def _email_local_part(name: str) -> str:
    """'I Wayan Suarta' → 'wayan.suarta'; "Imam Syafi'i" → 'imam.syafii'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9 ]", "", ascii_name.replace(".", " ")).split()
    if len(words) > 2 and words[0] in ("i", "ni"):
        words = words[1:]
    return ".".join(words)


def _seed_people(ctx: _Context) -> None:
    org_ids = {org.id for org in ctx.orgs.values()}
    found = {(p.organisation_id, p.name): p for p in ctx.session.scalars(
        select(Person).where(Person.organisation_id.in_(org_ids)).order_by(Person.id))}
    phone_digit = {"51": "5", "35": "3"}
    for number, spec in enumerate(ALL_PEOPLE, start=1):
        org = ctx.orgs[spec.org]
        key = (spec.org, spec.name)
        if key in ctx.people:  # the same person in two lists
            continue
        person = found.get((org.id, spec.name))
        if person is None:
            person = Person(name=spec.name, title_prefix=spec.prefix, title_suffix=spec.suffix,
                            position=spec.position, organisation=org, gender=spec.gender,
                            is_example=not spec.sourced)
            if not spec.sourced:
                digit = phone_digit.get((org.region_code or "")[:2], "9")
                person.phone = f"+62812{digit}{number:06d}"
                person.email = f"{_email_local_part(spec.name)}@{_email_domain(org.region_code)}"
            ctx.session.add(person)
            ctx.report.add("people")
        ctx.people[key] = person
    ctx.session.flush()


# --- Slum areas and 100-0-100 indicators ------------------------------------------------------

RADAR_BROMO_2019 = "Radar Bromo, 10 Jan 2019"
RADAR_BROMO_2020 = "Radar Bromo, 23 Feb 2020"


@dataclass(frozen=True)
class _Area:
    key: str
    region_code: str
    name: str
    area_ha: Decimal
    #: (kelurahan/desa code, hectares or None when the source gives no split)
    locations: tuple[tuple[str, Decimal | None], ...]
    sk_number: str | None = None
    sk_year: int | None = None
    level: SlumLevel | None = None
    score: int | None = None
    typology: str | None = None
    sub_units: str | None = None
    is_example: bool = False


SLUM_AREAS: tuple[_Area, ...] = (
    # Kota Pasuruan, sourced (S20): the 2015 baseline and the two largest remaining kawasan.
    _Area("psr.baseline", KOTA_PASURUAN, "Kawasan kumuh Kota Pasuruan (baseline 2015)",
          Decimal("80.87"), tuple((code, None) for code in PASURUAN_BASELINE_KELURAHAN),
          sk_year=2015, typology="pesisir"),
    _Area("psr.pesisir", KOTA_PASURUAN,
          "Kawasan pesisir Ngemplakrejo–Mandaranrejo (sisa Januari 2019)", Decimal("17.00"),
          ((NGEMPLAKREJO, Decimal("10.84")), (MANDARANREJO, Decimal("6.16"))),
          sk_year=2015, typology="pesisir"),
    # Klungkung: the SK numbers, the kelurahan/desa, Lembongan's level and Semarapura Klod
    # Kangin's 3,22 ha and score 16 are sourced (S15, S16, S18); the other hectares are not
    # published, so they are example values.
    _Area("klk.semarapura", KLUNGKUNG, "Kawasan kumuh perkotaan Semarapura (SK 2014)",
          Decimal("24.50"),
          ((KAJA, Decimal("6.10")), (KAUH, Decimal("4.85")), (KANGIN, Decimal("5.40")),
           (KLOD_KANGIN, Decimal("3.22")), (GELGEL, Decimal("4.93"))),
          sk_number="376/04/HK/2014", sk_year=2014,
          sub_units="Semarapura Klod Kangin: Lingkungan Mergan dan Pande (skor awal 16)",
          is_example=True),
    _Area("klk.lembongan", KLUNGKUNG, "Kawasan kumuh Desa Lembongan (SK 2019)", Decimal("12.40"),
          ((LEMBONGAN, Decimal("12.40")),), sk_number="367/24/HK/2019", sk_year=2019,
          level=SlumLevel.SEDANG, typology="pesisir", is_example=True),
)


@dataclass(frozen=True)
class _Indicator:
    region_code: str
    year: int
    kind: IndicatorKind
    value: Decimal
    source: str
    note: str | None = None
    is_example: bool = False


_BASE, _REDUCED = IndicatorKind.SLUM_BASELINE_HA, IndicatorKind.SLUM_REDUCED_HA
_REMAINING = IndicatorKind.SLUM_REMAINING_HA

INDICATORS: tuple[_Indicator, ...] = (
    _Indicator(KOTA_PASURUAN, 2015, _BASE, Decimal("80.87"), RADAR_BROMO_2019,
               "11 kelurahan"),
    # Reductions are cumulative since the baseline (services/indicators.py); the source gives
    # them per year (7,25 · 15,71 · 16,23 · 7,82 · 5,86 ha) and the totals 47,02 and 52,88 ha.
    _Indicator(KOTA_PASURUAN, 2015, _REDUCED, Decimal("7.25"), RADAR_BROMO_2019,
               "Pengurangan 2015: 7,25 ha."),
    _Indicator(KOTA_PASURUAN, 2016, _REDUCED, Decimal("22.96"), RADAR_BROMO_2019,
               "Pengurangan 2016: 15,71 ha (kumulatif dijumlahkan dari rincian tahunan)."),
    _Indicator(KOTA_PASURUAN, 2017, _REDUCED, Decimal("39.19"), RADAR_BROMO_2019,
               "Pengurangan 2017: 16,23 ha (kumulatif dijumlahkan dari rincian tahunan)."),
    _Indicator(KOTA_PASURUAN, 2018, _REDUCED, Decimal("47.02"), RADAR_BROMO_2019,
               "Pengurangan 2018: 7,82 ha. Total 2015–2018 dilaporkan 47,02 ha (jumlah "
               "rinciannya 47,01 ha; selisih pembulatan di sumber)."),
    _Indicator(KOTA_PASURUAN, 2018, _REMAINING, Decimal("33.85"), RADAR_BROMO_2019,
               "Posisi Januari 2019, 9 kelurahan. Terbesar: Ngemplakrejo 10,84 ha dan "
               "Mandaranrejo 6,16 ha; Mayangan dan Bangilan sudah 0 ha."),
    _Indicator(KOTA_PASURUAN, 2019, _REDUCED, Decimal("52.88"), RADAR_BROMO_2020,
               "Pengurangan 2019: 5,86 ha; kumulatif 52,88 ha sejak 2015."),
    _Indicator(KOTA_PASURUAN, 2019, _REMAINING, Decimal("27.99"), RADAR_BROMO_2020,
               "Posisi Februari 2020."),
    _Indicator(KLUNGKUNG, 2019, _BASE, Decimal("36.90"),
               "Contoh: luas total SK 376/04/HK/2014 dan 367/24/HK/2019 tidak ditemukan",
               "Nilai contoh (jumlah luas kawasan contoh Semarapura dan Lembongan).",
               is_example=True),
)


#: The reductions an earlier seed stored per year (2015's equals its cumulative value).
_ANNUAL_REDUCTIONS = {(KOTA_PASURUAN, 2016): Decimal("15.71"),
                      (KOTA_PASURUAN, 2017): Decimal("16.23"),
                      (KOTA_PASURUAN, 2018): Decimal("7.82"),
                      (KOTA_PASURUAN, 2019): Decimal("5.86")}


def _seed_slum_data(ctx: _Context) -> None:
    session = ctx.session
    found = {(a.region_code, a.name): a for a in session.scalars(
        select(SlumArea).where(SlumArea.name.in_([spec.name for spec in SLUM_AREAS])))}
    for spec in SLUM_AREAS:
        area = found.get((spec.region_code, spec.name))
        if area is None:
            area = SlumArea(region_code=spec.region_code, name=spec.name, area_ha=spec.area_ha,
                            sk_number=spec.sk_number, sk_year=spec.sk_year, level=spec.level,
                            score=spec.score, typology=spec.typology, sub_units=spec.sub_units,
                            is_example=spec.is_example,
                            locations=[SlumAreaLocation(region_code=code, area_ha=ha)
                                       for code, ha in spec.locations])
            session.add(area)
            ctx.report.add("slum_areas")
        ctx.areas[spec.key] = area

    present = {(r.region_code, r.year, r.kind): r for r in session.scalars(
        select(RegionIndicator).where(RegionIndicator.region_code.in_([KLUNGKUNG,
                                                                      KOTA_PASURUAN])))}
    for spec in INDICATORS:
        row = present.get((spec.region_code, spec.year, spec.kind))
        if row is not None:
            if spec.kind is _REDUCED and row.source == spec.source \
                    and row.value == _ANNUAL_REDUCTIONS.get((spec.region_code, spec.year)):
                # Seeded by an earlier version as the year's own reduction: made cumulative.
                row.value, row.note = spec.value, spec.note
            continue
        session.add(RegionIndicator(region_code=spec.region_code, year=spec.year, kind=spec.kind,
                                    value=spec.value, source=spec.source, note=spec.note,
                                    is_example=spec.is_example))
        ctx.report.add("indicators")
    session.flush()


def _seed_accounts(ctx: _Context, hasher: PasswordHashing) -> None:
    emails = [normalise_email(a.email) for a in DEMO_ACCOUNTS]
    found = {u.email: u for u in ctx.session.scalars(select(User).where(User.email.in_(emails)))}
    for spec in DEMO_ACCOUNTS:
        user = found.get(normalise_email(spec.email))
        if user is None:
            user = create_user(ctx.session, hasher, email=spec.email, name=spec.name,
                               role=spec.role, password=DEMO_PASSWORD,
                               organisation_id=ctx.orgs[spec.org].id if spec.org else None,
                               region_codes=list(spec.region_codes), locale="id")
            ctx.report.add("accounts")
        ctx.users[spec.email] = user
        ctx.report.logins.append(DemoLogin(user.email, user.role, DEMO_PASSWORD, spec.scope))


# --- Workshops --------------------------------------------------------------------------------


def _at(day: date, hh: int, mm: int, tz_name: str) -> datetime:
    """A local wall-clock time in `tz_name` as aware UTC."""
    return datetime.combine(day, time(hh, mm), ZoneInfo(tz_name)).astimezone(timezone.utc)


def _keep_upcoming_ahead(ctx: _Context) -> None:
    """Keep the demo's upcoming workshop open for registration: once its registration has
    closed and it is still only published (nobody has taken it further), move it and its agenda
    by whole days to UPCOMING_IN_DAYS ahead. Otherwise leave it exactly as it is."""
    workshop = ctx.session.scalar(select(Workshop).where(Workshop.code == CODE_UPCOMING))
    if workshop is None or workshop.status is not WorkshopStatus.PUBLISHED \
            or ctx.now < workshop.registration_closes_at:
        return
    zone = ZoneInfo(WITA)
    target = ctx.now.astimezone(zone).date() + timedelta(days=UPCOMING_IN_DAYS)
    shift = target - workshop.starts_at.astimezone(zone).date()
    workshop.starts_at += shift
    workshop.ends_at += shift
    workshop.registration_closes_at += shift
    workshop.registration_opens_at = ctx.now.replace(second=0, microsecond=0)
    for item in workshop.agenda_items:
        item.starts_at += shift
        item.ends_at += shift
    ctx.report.notes.append(f"The upcoming demo workshop {CODE_UPCOMING} was moved to "
                            f"{target.isoformat()}: its registration had closed.")


def _seed_workshop(ctx: _Context, code: str, build) -> None:
    if ctx.session.scalar(select(Workshop.id).where(Workshop.code == code)) is not None:
        return
    build(ctx, code)
    ctx.report.add("workshops")
    ctx.session.flush()


def _new_workshop(ctx: _Context, code: str, *, region_code: str, title: str, venue: str,
                  starts_at: datetime, ends_at: datetime, status: WorkshopStatus,
                  objectives: list[str], organisers: list[tuple[str, OrganiserRole]],
                  **fields) -> Workshop:
    fields.setdefault("kind", WorkshopKind.LOKAKARYA_KOLABORASI)
    workshop = Workshop(code=code, title=title, region_code=region_code, venue=venue,
                        starts_at=starts_at, ends_at=ends_at, status=status,
                        objectives=objectives,
                        organisers=[WorkshopOrganiser(organisation=ctx.orgs[key], role=role)
                                    for key, role in organisers],
                        **fields)
    ctx.session.add(workshop)
    return workshop


def _agenda(ctx: _Context, workshop: Workshop, day: date, tz_name: str, items) -> None:
    """items: (start "HH.MM", end "HH.MM", title, session type, [speakers], moderator)."""
    for position, (start, end, title, kind, speakers, moderator) in enumerate(items, start=1):
        sh, sm = (int(x) for x in start.split("."))
        eh, em = (int(x) for x in end.split("."))
        workshop.agenda_items.append(AgendaItem(
            position=position, starts_at=_at(day, sh, sm, tz_name),
            ends_at=_at(day, eh, em, tz_name),
            title=title, session_type=kind, speakers=[ctx.person(*s) for s in speakers],
            moderator=ctx.person(*moderator) if moderator else None))
        ctx.report.add("agenda_items")


def _register(ctx: _Context, workshop: Workshop, seats, *, registered_at: datetime,
              held: bool) -> None:
    """Confirmed registrations; seats_taken counts those whose role takes a seat."""
    taken = 0
    for number, seat in enumerate(seats):
        person = ctx.person(seat.org, seat.name)
        registration = Registration(
            workshop=workshop, person=person, organisation=person.organisation,
            sector=person.organisation.sector, role=seat.role,
            status=RegistrationStatus.CONFIRMED, created_at=registered_at)
        if held:
            registration.attendance = seat.attendance
            registration.delegate_name = seat.delegate
            if seat.attendance in (_HADIR, _DIWAKILI):
                # Arrivals spread over the half hour before the opening.
                registration.checked_in_at = (workshop.starts_at
                                              - timedelta(minutes=30 - number // 2))
        taken += seat.role.takes_seat
        ctx.session.add(registration)
        ctx.report.add("registrations")
    workshop.seats_taken = taken


def _issues(ctx: _Context, workshop: Workshop, specs) -> list[StrategicIssue]:
    """specs: (title, description, [aspects], location code, slum area key, proposer, priority)."""
    issues = []
    for title, description, aspects, location, area, proposer, priority in specs:
        issue = StrategicIssue(
            workshop=workshop, title=title, description=description, location_code=location,
            slum_area_id=ctx.areas[area].id if area else None, proposed_by=ctx.orgs[proposer],
            priority=priority, agreed=True, is_example=True,
            aspect_links=[IssueAspect(aspect=a) for a in aspects])
        ctx.session.add(issue)
        issues.append(issue)
        ctx.report.add("strategic_issues")
    return issues


def _mechanisms(ctx: _Context, workshop: Workshop, specs) -> None:
    """specs: (type, name, description, lead, cadence, next meeting, [members], [meetings])."""
    for kind, name, description, lead, cadence, next_on, members, meetings in specs:
        mechanism = CoordinationMechanism(
            workshop=workshop, type=kind, name=name, description=description,
            lead_organisation=ctx.orgs[lead], cadence=cadence, next_meeting_on=next_on,
            members=[ctx.orgs[k] for k in members], is_example=True)
        for held_on, notes in meetings:
            mechanism.meetings.append(MechanismMeeting(
                held_on=held_on, notes=notes, attendees=[ctx.orgs[k] for k in members]))
        ctx.session.add(mechanism)
        ctx.report.add("mechanisms")


def _agreements(ctx: _Context, workshop: Workshop, issues: list[StrategicIssue], specs) -> None:
    """specs: (text, [issue numbers, 1-based], [organisation keys])."""
    for number, (text, issue_numbers, org_keys) in enumerate(specs, start=1):
        ctx.session.add(AgreementPoint(
            workshop=workshop, number=number, text=text, is_example=True,
            issues=[issues[n - 1] for n in issue_numbers],
            organisations=[ctx.orgs[k] for k in org_keys]))
        ctx.report.add("agreement_points")


@dataclass(frozen=True)
class _Commitment:
    org: str
    by: str
    title: str
    type: CommitmentType
    aspect: Aspect | None
    scale: Scale
    amount_idr: int | None
    funding: FundingSource | None
    location: str | None = None
    location_text: str | None = None
    description: str | None = None
    volume: Decimal | None = None
    unit: str | None = None
    fiscal_year: int = 2020
    target_date: date = date(2020, 12, 31)
    issues: tuple[int, ...] = ()
    integrated_into: str | None = None
    #: Progress reports in order: (date, status, percent, narrative, author e-mail or None,
    #: verified by this reviewer e-mail or None). Without any, the commitment stays "disepakati".
    updates: tuple[tuple, ...] = ()


def _commitments(ctx: _Context, workshop: Workshop, issues: list[StrategicIssue],
                 specs: tuple[_Commitment, ...]) -> None:
    for spec in specs:
        org = ctx.orgs[spec.org]
        commitment = Commitment(
            organisation=org, sector=org.sector, committed_by=ctx.person(spec.org, spec.by),
            workshop=workshop, region_code=workshop.region_code, type=spec.type,
            aspect=spec.aspect, scale=spec.scale, location_code=spec.location,
            location_text=spec.location_text, title=spec.title, description=spec.description,
            volume=spec.volume, unit=spec.unit, amount_idr=spec.amount_idr,
            funding_source=spec.funding, fiscal_year=spec.fiscal_year,
            target_date=spec.target_date, integrated_into=spec.integrated_into,
            status=CommitmentStatus.DISEPAKATI, percent_complete=0, is_example=True,
            issues=[issues[n - 1] for n in spec.issues])
        for reported_on, status, percent, narrative, author, verifier in spec.updates:
            reported_at = datetime.combine(reported_on, time(2, 0), timezone.utc)
            update = CommitmentUpdate(
                reported_on=reported_on, status=status, percent_complete=percent,
                narrative=narrative, author=ctx.users[author] if author else None,
                created_at=reported_at)
            if verifier:
                update.verification_state = VerificationDecision.VERIFIED
                update.verifications.append(Verification(
                    reviewer=ctx.users[verifier], decision=VerificationDecision.VERIFIED,
                    comment="Sesuai dengan bukti foto dan berita acara (contoh).",
                    created_at=reported_at + timedelta(days=7)))
            commitment.updates.append(update)
            commitment.status, commitment.percent_complete = status, percent
            commitment.last_update_at = reported_at
            ctx.report.add("commitment_updates")
        ctx.session.add(commitment)
        ctx.report.add("commitments")


# Workshop A: Kabupaten Klungkung, Tuesday 29 October 2019 ------------------------------------

KLUNGKUNG_2019_DAY = date(2019, 10, 29)
WITA = "Asia/Makassar"
WIB = "Asia/Jakarta"
REVIEWER = "reviewer@kotaku.example"
STAKEHOLDER = "stakeholder@kotaku.example"

_KASTA = ("klk.pemkab", "I Made Kasta")
_WASTA = ("klk.baperlitbang", "I Wayan Wasta")
_ARY = ("klk.baperlitbang", "Ary Susanta Riman")
_SUTRESNA = ("bali.bppw", "I Nyoman Sutresna")
_KORKOT_KLK = ("klk.tim_kotaku", "I Made Gede Suparta")

KLUNGKUNG_2019_COMMITMENTS = (
    _Commitment("klk.puprpkp", "I Wayan Sukra Wija",
                "Rehabilitasi drainase 450 m di Kelurahan Semarapura Kaja",
                CommitmentType.PROGRAM_KEGIATAN, Aspect.DRAINASE, Scale.LINGKUNGAN, 750_000_000,
                FundingSource.APBD_KABKOTA, location=KAJA, volume=Decimal("450"), unit="m",
                target_date=date(2020, 11, 30), issues=(1,),
                integrated_into="RKPD Kabupaten Klungkung 2020",
                updates=(
                    (date(2020, 3, 16), CommitmentStatus.DIANGGARKAN, 0,
                     "Masuk DPA Dinas PUPRPKP tahun 2020.", None, None),
                    (date(2020, 8, 14), CommitmentStatus.DILAKSANAKAN, 45,
                     "Galian dan pasangan saluran selesai 200 m.", None, None),
                    (date(2020, 11, 27), CommitmentStatus.SELESAI, 100,
                     "Saluran 450 m selesai; serah terima pertama pekerjaan.", None, REVIEWER),
                )),
    _Commitment("klk.dlh", "I Nyoman Suartana",
                "Dua motor sampah roda tiga dan perencanaan TPS3R di Desa Lembongan",
                CommitmentType.PROGRAM_KEGIATAN, Aspect.PERSAMPAHAN, Scale.LINGKUNGAN,
                180_000_000, FundingSource.APBD_KABKOTA, location=LEMBONGAN,
                volume=Decimal("2"), unit="unit", target_date=date(2020, 9, 30), issues=(2,),
                updates=(
                    (date(2020, 7, 10), CommitmentStatus.DILAKSANAKAN, 60,
                     "Dua motor sampah diterima desa; DED TPS3R sedang disusun.", None, None),
                )),
    _Commitment("klk.pdam", "Nyoman Renin Suyasa", "120 sambungan rumah di Desa Gelgel",
                CommitmentType.PROGRAM_KEGIATAN, Aspect.AIR_MINUM, Scale.LINGKUNGAN,
                240_000_000, FundingSource.LAINNYA, location=GELGEL, volume=Decimal("120"),
                unit="SR",
                description="Dana investasi PDAM ditambah swadaya masyarakat untuk pipa persil.",
                updates=(
                    (date(2020, 2, 20), CommitmentStatus.DIANGGARKAN, 0,
                     "Masuk rencana investasi PDAM 2020; survei calon pelanggan bersama BKM "
                     "Desa Gelgel.", STAKEHOLDER, None),
                )),
    _Commitment("klk.bpd", "Ni Putu Ayu Kusumawati", "20 APAR dan 1 titik hidran di Desa Lembongan",
                CommitmentType.PROGRAM_KEGIATAN, Aspect.PROTEKSI_KEBAKARAN, Scale.LINGKUNGAN,
                75_000_000, FundingSource.CSR_TJSL, location=LEMBONGAN, volume=Decimal("21"),
                unit="unit", target_date=date(2020, 10, 31), issues=(3,)),
    _Commitment("klk.bkm_klodkangin", "I Ketut Sudarma",
                "Operasi dan pemeliharaan aset BDI 2017 melalui KPP",
                CommitmentType.OPERASI_PEMELIHARAAN, None, Scale.LINGKUNGAN, 15_000_000,
                FundingSource.SWADAYA, location=KLOD_KANGIN,
                updates=(
                    (date(2020, 5, 4), CommitmentStatus.DILAKSANAKAN, 50,
                     "Iuran pemeliharaan terkumpul Rp 7.500.000; pembersihan saluran bulanan "
                     "berjalan.", None, None),
                )),
    _Commitment("bali.unud", "I Made Adhi Surya",
                "Kajian akses pemadam kebakaran dan KKN pemilahan sampah di Lembongan",
                CommitmentType.PENDAMPINGAN_TEKNIS, Aspect.PROTEKSI_KEBAKARAN, Scale.KAWASAN,
                None, None, location=LEMBONGAN, description="Dukungan natura (in-kind).",
                target_date=date(2020, 8, 31), issues=(3, 2)),
    _Commitment("klk.baperlitbang", "I Wayan Wasta",
                "Memasukkan prioritas RP2KPKP ke dalam RKPD 2021",
                CommitmentType.KEBIJAKAN_REGULASI, Aspect.REGULASI, Scale.KOTA, None, None,
                target_date=date(2020, 6, 30), issues=(6,),
                integrated_into="RKPD Kabupaten Klungkung 2021",
                updates=(
                    (date(2020, 6, 30), CommitmentStatus.SELESAI, 100,
                     "Prioritas RP2KPKP tercantum dalam rancangan RKPD 2021.", None, None),
                )),
)


def _build_klungkung_2019(ctx: _Context, code: str) -> None:
    day = KLUNGKUNG_2019_DAY
    workshop = _new_workshop(
        ctx, code, region_code=KLUNGKUNG,
        title="Lokakarya Kolaborasi KOTAKU Kabupaten Klungkung 2019",
        venue="Ruang rapat BPKPD Kabupaten Klungkung, Semarapura",
        starts_at=_at(day, 8, 30, WITA), ends_at=_at(day, 15, 0, WITA),
        status=WorkshopStatus.REVIEWED, capacity=40,
        objectives=[
            "Menyamakan pemahaman tentang target, capaian dan kebijakan daerah dalam "
            "penanganan permukiman kumuh.",
            "Memetakan isu-isu strategis.",
            "Menyepakati mekanisme koordinasi dan konsolidasi untuk kolaborasi.",
            "Menyusun strategi pelaksanaan kolaboratif menuju 100-0-100.",
        ],
        organisers=[("klk.baperlitbang", OrganiserRole.PENYELENGGARA),
                    ("bali.bppw", OrganiserRole.PENYELENGGARA),
                    ("klk.tim_kotaku", OrganiserRole.FASILITATOR)],
        invitation_number="005/123/Baperlitbang/2019",
        opened_by=ctx.person(*_KASTA),
        opened_by_position="Wakil Bupati Klungkung, atas nama Bupati Klungkung",
        sector_targets={s.value: n for s, n in KLUNGKUNG_2019_SECTOR_MIX.items()},
        data_note=(
            "Tanggal, tempat, pembuka, penyelenggara dan jumlah peserta (40) bersumber dari "
            "pemberitaan (Bisnis Bali, 29 Oktober 2019); SK 367/24/HK/2019 dan Desa Lembongan "
            "dari Tribun Bali, 30 Oktober 2019. Jam acara, nomor undangan, susunan acara, "
            "peserta selain pejabat yang disebut namanya, isu strategis, mekanisme, kesepakatan "
            "dan semua komitmen beserta nilainya adalah contoh."),
    )
    _agenda(ctx, workshop, day, WITA, (
        ("08.30", "09.15", "Pembukaan dan sambutan Wakil Bupati Klungkung", SessionType.PEMBUKAAN,
         [_KASTA], None),
        ("09.15", "10.30", "Kebijakan daerah, capaian KOTAKU dan SK kumuh 2019",
         SessionType.PAPARAN, [_WASTA, _ARY], _KORKOT_KLK),
        ("10.30", "11.15", "Dukungan BPPW Bali menuju 100-0-100", SessionType.PAPARAN,
         [_SUTRESNA], _KORKOT_KLK),
        ("11.15", "12.30", "Diskusi kelompok: pemetaan isu strategis per aspek",
         SessionType.DISKUSI_KELOMPOK, [], _KORKOT_KLK),
        ("12.30", "13.15", "Istirahat, makan siang", SessionType.ISTIRAHAT, [], None),
        ("13.15", "14.30", "Pleno: mekanisme koordinasi dan komitmen para pihak",
         SessionType.PLENO, [], _ARY),
        ("14.30", "15.00", "Penutupan dan penandatanganan kesepakatan", SessionType.PENUTUPAN,
         [_WASTA], None),
    ))
    _register(ctx, workshop, KLUNGKUNG_2019_SEATS,
              registered_at=_at(date(2019, 10, 15), 9, 0, WITA), held=True)
    ctx.session.flush()
    issues = _issues(ctx, workshop, (
        ("Drainase dan jalan lingkungan di kelurahan Semarapura belum memenuhi standar",
         "Saluran tersumbat dan perkerasan jalan rusak di lingkungan padat.",
         [Aspect.JALAN_LINGKUNGAN, Aspect.DRAINASE], KAJA, "klk.semarapura", "klk.puprpkp", 1),
        ("Pengangkutan sampah di Desa Lembongan: 630 KK belum terlayani",
         "Belum ada layanan pengangkutan; muncul tempat pembuangan liar.",
         [Aspect.PERSAMPAHAN], LEMBONGAN, "klk.lembongan", "klk.dlh", 1),
        ("Akses pemadam kebakaran di gang padat Lembongan",
         "Kepadatan 51 bangunan/ha dan gang sempit tanpa akses mobil pemadam.",
         [Aspect.BANGUNAN_GEDUNG, Aspect.PROTEKSI_KEBAKARAN], LEMBONGAN, "klk.lembongan",
         "klk.bpbd", 2),
        ("Belum ada sistem pengelolaan air limbah terpadu di Lembongan", None,
         [Aspect.AIR_LIMBAH], LEMBONGAN, "klk.lembongan", "klk.dinkes", 2),
        ("Kesenjangan layanan air minum di desa-desa Nusa Penida",
         "Produksi air belum mencukupi; sebagian warga dilayani bergiliran.",
         [Aspect.AIR_MINUM], "51.05.01", None, "klk.pdam", 2),
        ("Integrasi RP2KPKP ke dalam RKPD 2021", "Prioritas RP2KPKP 2018 belum masuk "
         "dokumen perencanaan tahunan.", [Aspect.REGULASI], None, None, "klk.baperlitbang", 1),
    ))
    _mechanisms(ctx, workshop, (
        (MechanismType.RAPAT_POKJA_PKP, "Rapat triwulanan Pokja PKP Kabupaten Klungkung",
         "Dipimpin Kepala Baperlitbang selaku Ketua Pokja PKP; sekretariat di Dinas PUPRPKP.",
         "klk.baperlitbang", Cadence.TRIWULANAN, date(2020, 4, 22),
         ["klk.baperlitbang", "klk.puprpkp", "klk.dlh", "klk.dinkes", "klk.bpbd", "klk.pdam",
          "klk.tim_kotaku"],
         [(date(2020, 1, 22), "Pembahasan tindak lanjut komitmen lokakarya 2019 (contoh).")]),
        (MechanismType.BERBAGI_DATA, "Kelompok data Baperlitbang–Tim KOTAKU",
         "Pemutakhiran data baseline sesuai SK 367/24/HK/2019.", "klk.baperlitbang",
         Cadence.BULANAN, date(2019, 11, 26), ["klk.baperlitbang", "klk.tim_kotaku"], []),
        (MechanismType.FORUM_PKP, "Pembentukan Forum PKP Kabupaten Klungkung (2020)",
         "Forum bersama BKM, pelaku wisata dan perguruan tinggi.", "klk.puprpkp",
         Cadence.SEMESTERAN, date(2020, 3, 17),
         ["klk.puprpkp", "klk.fka_bkm", "klk.phri", "bali.unud", "bali.unwar", "klk.baznas",
          "klk.padma"], []),
    ))
    _agreements(ctx, workshop, issues, (
        ("Para pihak sepakat menjadikan isu strategis hasil lokakarya sebagai dasar program "
         "penanganan permukiman kumuh tahun 2020.", [1, 2, 3, 4, 5, 6], []),
        ("Pokja PKP Kabupaten Klungkung rapat setiap triwulan, dipimpin Kepala Baperlitbang, "
         "dengan sekretariat di Dinas PUPRPKP.", [], ["klk.baperlitbang", "klk.puprpkp"]),
        ("Baperlitbang dan Tim Pendamping KOTAKU memutakhirkan data baseline sesuai SK Bupati "
         "367/24/HK/2019 paling lambat Desember 2019.", [],
         ["klk.baperlitbang", "klk.tim_kotaku"]),
        ("Komitmen para pihak dicatat dalam berita acara dan dipantau dalam rapat Pokja PKP.",
         [], []),
        ("Prioritas RP2KPKP diusulkan masuk RKPD Kabupaten Klungkung tahun 2021.", [6],
         ["klk.baperlitbang"]),
    ))
    _commitments(ctx, workshop, issues, KLUNGKUNG_2019_COMMITMENTS)


# Workshop B: Kota Pasuruan, Thursday 29 August 2019 ------------------------------------------

PASURUAN_2019_DAY = date(2019, 8, 29)

_ULUM = ("psr.setda", "Bahrul Ulum")
_UUNG = ("psr.dprkp", "Uung Maf'udi Dja'far")
_WAHYU = ("nas.ditpkp", "Wahyu Hidayat")
_JOKO = ("jatim.its", "Joko Purnomo")
_ENDAH = ("psr.bappeda", "Endah Kusumawati")
_KORKOT_PSR = ("psr.tim_kotaku", "Eko Budi Santoso")

PASURUAN_2019_COMMITMENTS = (
    _Commitment("psr.dprkp", "Uung Maf'udi Dja'far",
                "Perbaikan drainase dan jalan lingkungan di Kelurahan Ngemplakrejo",
                CommitmentType.PROGRAM_KEGIATAN, Aspect.DRAINASE, Scale.LINGKUNGAN,
                1_250_000_000, FundingSource.APBD_KABKOTA, location=NGEMPLAKREJO, issues=(1,),
                integrated_into="RKPD Kota Pasuruan 2020",
                updates=(
                    (date(2020, 4, 15), CommitmentStatus.DIANGGARKAN, 0,
                     "Masuk DPA DPRKP tahun 2020.", None, None),
                    (date(2020, 9, 10), CommitmentStatus.DILAKSANAKAN, 70,
                     "Saluran dan paving di tiga RT selesai; dua RT berjalan.", None, None),
                )),
    _Commitment("psr.pupr", "Yuli Astutik",
                "Desain saluran pembuangan dan pintu air pasang pesisir",
                CommitmentType.DATA_PERENCANAAN, Aspect.DRAINASE, Scale.KAWASAN, 300_000_000,
                FundingSource.APBD_KABKOTA, location_text="Pesisir Ngemplakrejo–Mandaranrejo",
                issues=(1,),
                updates=(
                    (date(2020, 2, 3), CommitmentStatus.DIANGGARKAN, 0,
                     "Kegiatan DED masuk DPA Dinas PUPR 2020.", None, None),
                )),
    _Commitment("psr.bpn", "Teguh Santoso", "Inventarisasi status lahan RT pesisir",
                CommitmentType.LAHAN, Aspect.LAHAN, Scale.KAWASAN, None, None,
                location_text="RT pesisir Panggungrejo", fiscal_year=2019,
                target_date=date(2020, 6, 30), description="Dukungan natura (in-kind), 2019–2020.",
                issues=(4,),
                updates=(
                    (date(2019, 12, 12), CommitmentStatus.DILAKSANAKAN, 30,
                     "Inventarisasi 4 dari 12 RT pesisir selesai.", None, None),
                )),
    _Commitment("psr.pdam", "Mustofa Kamal", "100 sambungan rumah di Kelurahan Mandaranrejo",
                CommitmentType.PROGRAM_KEGIATAN, Aspect.AIR_MINUM, Scale.LINGKUNGAN,
                200_000_000, FundingSource.LAINNYA, location=MANDARANREJO, volume=Decimal("100"),
                unit="SR", description="Dana investasi PDAM.", issues=(6,)),
    _Commitment("psr.bank_jatim", "Lilik Suryani", "Tangki septik komunal 1 unit",
                CommitmentType.PROGRAM_KEGIATAN, Aspect.AIR_LIMBAH, Scale.LINGKUNGAN,
                150_000_000, FundingSource.CSR_TJSL, location=NGEMPLAKREJO, volume=Decimal("1"),
                unit="unit", target_date=date(2020, 10, 31), issues=(2,),
                updates=(
                    (date(2020, 10, 20), CommitmentStatus.SELESAI, 100,
                     "Tangki septik komunal selesai dan diserahkan kepada KPP.", None, REVIEWER),
                )),
    _Commitment("psr.unmer", "M. Arif Rahman", "Kajian tipologi hunian pesisir dan KKN tematik",
                CommitmentType.PENDAMPINGAN_TEKNIS, Aspect.BANGUNAN_GEDUNG, Scale.KAWASAN, None,
                None, location_text="Pesisir Kota Pasuruan",
                description="Dukungan natura (in-kind).", issues=(1, 5)),
    _Commitment("psr.bappeda", "Endah Kusumawati",
                "Rancangan Perwali pencegahan permukiman kumuh baru",
                CommitmentType.KEBIJAKAN_REGULASI, Aspect.REGULASI, Scale.KOTA, None, None,
                issues=(5,),
                updates=(
                    (date(2020, 3, 2), CommitmentStatus.DILAKSANAKAN, 40,
                     "Naskah akademik disusun bersama Bagian Hukum.", None, None),
                )),
)


def _build_pasuruan_2019(ctx: _Context, code: str) -> None:
    day = PASURUAN_2019_DAY
    workshop = _new_workshop(
        ctx, code, region_code=KOTA_PASURUAN,
        title="Workshop Kolaborasi antar-Stakeholder KOTAKU Kota Pasuruan 2019",
        venue="Rumah Makan (contoh), Kota Pasuruan",
        starts_at=_at(day, 8, 0, WIB), ends_at=_at(day, 14, 0, WIB),
        status=WorkshopStatus.FINALISED, capacity=40,
        objectives=[
            "Menyamakan persepsi para pemangku kepentingan.",
            "Menyosialisasikan Program KOTAKU.",
            "Membangun kolaborasi antar-pemangku kepentingan.",
            "Menggalang upaya bersama lintas sektor, terutama untuk permukiman kumuh pesisir.",
            "Mencegah tumbuhnya permukiman kumuh baru, termasuk melalui peraturan daerah.",
        ],
        organisers=[("nas.ditpkp", OrganiserRole.PENYELENGGARA),
                    ("psr.dprkp", OrganiserRole.PENYELENGGARA),
                    ("psr.bappeda", OrganiserRole.PENYELENGGARA),
                    ("psr.tim_kotaku", OrganiserRole.FASILITATOR)],
        invitation_number="005/214/DPRKP/2019",
        opened_by=ctx.person(*_ULUM), opened_by_position="Sekretaris Daerah Kota Pasuruan",
        sector_targets={s.value: n for s, n in PASURUAN_2019_SECTOR_MIX.items()},
        data_note=(
            "Tanggal, jenis tempat (rumah makan; namanya tidak diberitakan), pembuka, jumlah "
            "peserta (35) dan tujuan bersumber dari FaktualNews, 29 Agustus 2019; luas kumuh dari "
            "Radar Bromo (10 Januari 2019, 23 Februari 2020). Jam acara, nama tempat, nomor "
            "undangan, susunan acara, peserta selain pejabat yang disebut namanya, isu strategis, "
            "mekanisme, kesepakatan dan semua komitmen beserta nilainya adalah contoh."),
    )
    _agenda(ctx, workshop, day, WIB, (
        ("08.00", "08.45", "Pembukaan dan sambutan Sekretaris Daerah Kota Pasuruan",
         SessionType.PEMBUKAAN, [_ULUM], None),
        ("08.45", "09.45", "Kebijakan dan strategi nasional KOTAKU", SessionType.PAPARAN,
         [_WAHYU], _KORKOT_PSR),
        ("09.45", "10.30", "Capaian penanganan kumuh Kota Pasuruan 2015–2019",
         SessionType.PAPARAN, [_UUNG], _KORKOT_PSR),
        ("10.30", "11.15", "Penanganan permukiman kumuh pesisir", SessionType.PAPARAN, [_JOKO],
         _KORKOT_PSR),
        ("11.15", "12.15", "Diskusi kelompok: isu strategis dan peran para pihak",
         SessionType.DISKUSI_KELOMPOK, [], _KORKOT_PSR),
        ("12.15", "13.00", "Istirahat, makan siang", SessionType.ISTIRAHAT, [], None),
        ("13.00", "13.45", "Pleno: kesepakatan mekanisme koordinasi dan komitmen",
         SessionType.PLENO, [], _ENDAH),
        ("13.45", "14.00", "Penutupan", SessionType.PENUTUPAN, [_ENDAH], None),
    ))
    _register(ctx, workshop, PASURUAN_2019_SEATS, registered_at=_at(date(2019, 8, 15), 9, 0, WIB),
              held=True)
    ctx.session.flush()
    issues = _issues(ctx, workshop, (
        ("Genangan rob dan drainase di kawasan pesisir Ngemplakrejo dan Mandaranrejo",
         "Permukiman pesisir tergenang saat pasang; saluran tidak mampu mengalirkan air.",
         [Aspect.DRAINASE], NGEMPLAKREJO, "psr.pesisir", "psr.dprkp", 1),
        ("Air limbah dan tangki septik di permukiman pesisir yang padat", None,
         [Aspect.AIR_LIMBAH], MANDARANREJO, "psr.pesisir", "psr.dinkes", 1),
        ("Penanganan sampah dari kegiatan perikanan dan rumah tangga", None,
         [Aspect.PERSAMPAHAN], TAMBAAN, None, "psr.dlh", 2),
        ("Status legal lahan di kawasan pesisir", "Perlu inventarisasi bersama Kantor Pertanahan.",
         [Aspect.LAHAN], None, None, "psr.bpn", 2),
        ("Pencegahan permukiman kumuh baru: Perwali dan izin mendirikan bangunan", None,
         [Aspect.REGULASI], None, None, "psr.bappeda", 1),
        ("Kontinuitas layanan air bersih", None, [Aspect.AIR_MINUM], None, None, "psr.pdam", 2),
    ))
    _mechanisms(ctx, workshop, (
        (MechanismType.RAPAT_POKJA_PKP, "Rapat bulanan Pokja PKP Kota Pasuruan",
         "Dipimpin Kepala Bappeda; rapat setiap bulan sampai Desember 2019.", "psr.bappeda",
         Cadence.BULANAN, date(2019, 12, 19),
         ["psr.bappeda", "psr.dprkp", "psr.pupr", "psr.dlh", "psr.dinkes", "psr.tim_kotaku"],
         [(date(2019, 9, 26), "Rencana kerja Pokja PKP sampai Desember (contoh)."),
          (date(2019, 10, 24), "Usulan kegiatan 2020 per aspek (contoh)."),
          (date(2019, 11, 28), "Sinkronisasi dengan RKPD 2020 (contoh).")]),
        (MechanismType.TIM_TEKNIS, "Tim kerja status lahan pesisir BPN–DPRKP", None, "psr.dprkp",
         Cadence.DUA_BULANAN, date(2019, 10, 10), ["psr.dprkp", "psr.bpn", "psr.kec_panggungrejo"],
         []),
        (MechanismType.LAINNYA, "Forum BKM sebagai kanal aspirasi masyarakat", None,
         "psr.forum_bkm", Cadence.TRIWULANAN, date(2019, 11, 14),
         ["psr.forum_bkm", "psr.bkm_ngemplakrejo", "psr.bkm_mandaranrejo", "psr.tim_kotaku"], []),
    ))
    _agreements(ctx, workshop, issues, (
        ("Penanganan permukiman kumuh pesisir di Ngemplakrejo dan Mandaranrejo menjadi "
         "prioritas bersama lintas sektor tahun 2020.", [1, 2], []),
        ("Pokja PKP Kota Pasuruan, dipimpin Kepala Bappeda, rapat setiap bulan sampai "
         "Desember 2019.", [], ["psr.bappeda"]),
        ("DPRKP dan Kantor Pertanahan membentuk tim kerja inventarisasi status lahan RT pesisir.",
         [4], ["psr.dprkp", "psr.bpn"]),
        ("Bappeda menyiapkan rancangan Peraturan Wali Kota tentang pencegahan permukiman kumuh "
         "baru.", [5], ["psr.bappeda"]),
        ("Dunia usaha, perguruan tinggi dan Baznas mendukung melalui CSR, kajian dan "
         "pendampingan.", [], ["psr.bank_jatim", "psr.pdam", "psr.unmer", "psr.baznas"]),
    ))
    _commitments(ctx, workshop, issues, PASURUAN_2019_COMMITMENTS)


# Workshop C: upcoming, open for registration ------------------------------------------------

UPCOMING_SEATS: tuple[_Seat, ...] = (
    _Seat("klk.baperlitbang", "I Wayan Wasta", _L, "", _NARASUMBER),
    _Seat("klk.tim_kotaku", "I Made Gede Suparta", _L, "", _MODERATOR),
    _Seat("klk.puprpkp", "I Wayan Sukra Wija", _L, ""),
    _Seat("klk.dlh", "I Nyoman Suartana", _L, ""),
    _Seat("klk.pdam", "Nyoman Renin Suyasa", _L, ""),
    _Seat("klk.desa_lembongan", "I Ketut Arsana", _L, ""),
    _Seat("klk.bkm_klodkangin", "I Ketut Sudarma", _L, ""),
)


def _build_upcoming(ctx: _Context, code: str) -> None:
    """Dated UPCOMING_IN_DAYS after the day the seed first runs (moved ahead again by
    _keep_upcoming_ahead once its registration has closed)."""
    day = ctx.now.astimezone(ZoneInfo(WITA)).date() + timedelta(days=UPCOMING_IN_DAYS)
    starts_at = _at(day, 9, 0, WITA)
    previous = ctx.session.scalar(select(Workshop).where(Workshop.code == CODE_KLUNGKUNG_2019))
    workshop = _new_workshop(
        ctx, code, region_code=KLUNGKUNG,
        title="Lokakarya Tindak Lanjut Komitmen KOTAKU Kabupaten Klungkung",
        venue="Aula Baperlitbang Kabupaten Klungkung, Semarapura (contoh)",
        starts_at=starts_at, ends_at=_at(day, 13, 0, WITA),
        status=WorkshopStatus.PUBLISHED, capacity=40,
        registration_opens_at=ctx.now.replace(second=0, microsecond=0),
        registration_closes_at=starts_at - timedelta(days=2),
        objectives=["Meninjau kemajuan komitmen hasil lokakarya 2019.",
                    "Memutakhirkan isu strategis dan rencana tindak lanjut."],
        organisers=[("klk.baperlitbang", OrganiserRole.PENYELENGGARA),
                    ("klk.tim_kotaku", OrganiserRole.FASILITATOR)],
        opened_by=ctx.person(*_WASTA),
        opened_by_position="Kepala Baperlitbang Kabupaten Klungkung",
        previous=previous,
        data_note=UPCOMING_NOTE,
    )
    _agenda(ctx, workshop, day, WITA, (
        ("09.00", "09.30", "Pembukaan", SessionType.PEMBUKAAN, [_WASTA], None),
        ("09.30", "10.30", "Kemajuan komitmen lokakarya 2019", SessionType.PAPARAN, [_ARY],
         _KORKOT_KLK),
        ("10.30", "12.00", "Diskusi kelompok: hambatan dan rencana tindak lanjut",
         SessionType.DISKUSI_KELOMPOK, [], _KORKOT_KLK),
        ("12.00", "13.00", "Pleno dan penutupan", SessionType.PLENO, [], _ARY),
    ))
    _register(ctx, workshop, UPCOMING_SEATS, registered_at=ctx.now, held=False)
