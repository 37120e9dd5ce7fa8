"""PAdES signatures on PDFs with pyHanko: sign with the prefecture's key (PKCS#12), check
a signature against the prefecture's certificate, and make a development certificate.

Plain data in and out: bytes of a PDF, a path and a password. Which documents are signed
and what a verdict means for a person is the features' business (results, /verify).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

# pyHanko and cryptography are loaded inside the functions, only by a process that signs
# or checks a document (a worker, a /verify request): like WeasyPrint in pdf.py, importing
# them takes seconds that every web process would otherwise pay at its start

# the organisational unit that marks a development certificate: documents signed with
# one say so (「開発用の署名」), and /verify never takes them for the prefecture's
DEVELOPMENT_UNIT = "DEVELOPMENT ONLY"
FIELD_NAME = "PrefectureSignature"

_lock = threading.Lock()
_signers: dict[tuple[str, float], Any] = {}  # pyhanko SimpleSigner per key file version


class SigningKeyError(RuntimeError):
    """The signing key cannot be used (missing file, wrong password, not PKCS#12)."""


def load_signer(p12_path: str | Path, password: str):
    """The signer (pyHanko's SimpleSigner) in a PKCS#12 file, loaded once per file
    version and process."""
    from pyhanko.sign import signers  # loaded where documents are signed (see the top)

    path = Path(p12_path)
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError as exc:
        raise SigningKeyError(f"signing key {path.name} cannot be read: {exc.strerror}") from exc
    with _lock:
        if key not in _signers:
            signer = signers.SimpleSigner.load_pkcs12(
                pfx_file=str(path), passphrase=password.encode("utf-8") if password else None
            )
            if signer is None:
                raise SigningKeyError(f"signing key {path.name}: not PKCS#12, or a wrong password")
            _signers[key] = signer
        return _signers[key]


def certificate_of(signer):
    """The signer's certificate (asn1crypto)."""
    return signer.signing_cert


def is_development(cert) -> bool:
    units = cert.subject.native.get("organizational_unit_name") or ()
    units = [units] if isinstance(units, str) else list(units)
    return DEVELOPMENT_UNIT in units


def sign_pdf(data: bytes, signer, *, reason: str, location: str, name: str) -> bytes:
    """`data` with a PAdES signature (B-B) over the whole file, as an incremental update."""
    # loaded where documents are signed (see the top)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    writer = IncrementalPdfFileWriter(BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        location=location,
        name=name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    try:
        return signers.sign_pdf(writer, meta, signer=signer).getvalue()
    except SigningError as exc:
        raise SigningKeyError(f"signing failed: {exc}") from exc


@dataclass(frozen=True)
class Verdict:
    """What a PDF's signature says, checked against one trusted certificate."""

    signed: bool  # a signature is there at all
    intact: bool = False  # the signed bytes are as they were signed
    trusted: bool = False  # signed by the trusted certificate's key
    whole_file: bool = False  # nothing was added after the signature
    signer: str = ""
    signed_at: datetime | None = None
    sha256: str = ""  # of the whole file, as uploaded

    @property
    def valid(self) -> bool:
        """Issued with the trusted key and unchanged since."""
        return self.signed and self.intact and self.trusted and self.whole_file


def verify_pdf(data: bytes, trusted) -> Verdict:
    """Check the last signature in `data` against `trusted` (an asn1crypto certificate;
    no network fetching)."""
    # loaded where documents are checked (see the top)
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    digest = hashlib.sha256(data).hexdigest()
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError) as exc:
        del exc  # not a PDF pyHanko can read: no signature to speak of
        return Verdict(signed=False, sha256=digest)
    if not sigs:
        return Verdict(signed=False, sha256=digest)
    sig = sigs[-1]
    context = ValidationContext(trust_roots=[trusted], allow_fetching=False)
    try:
        status = validate_pdf_signature(sig, context)
    except (SignatureValidationError, PdfReadError, ValueError, KeyError, TypeError) as exc:
        del exc
        return Verdict(signed=True, sha256=digest)
    same_key = sig.signer_cert.public_key.dump() == trusted.public_key.dump()
    coverage = getattr(status.coverage, "name", "")
    return Verdict(
        signed=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted and same_key),
        whole_file=coverage == "ENTIRE_FILE",
        signer=sig.signer_cert.subject.human_friendly,
        signed_at=status.signer_reported_dt,
        sha256=digest,
    )


def make_development_key(path: str | Path, password: str, common_name: str) -> Path:
    """A self-signed key and certificate for development, as PKCS#12 at `path` (made once)."""
    # loaded where a development key is made (see the top)
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    path = Path(path)
    if path.exists():
        return path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tetsuzuki"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEVELOPMENT_UNIT),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),  # fmt: skip
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(password.encode("utf-8"))
        if password
        else serialization.NoEncryption()
    )
    blob = pkcs12.serialize_key_and_certificates(b"result-signing", key, cert, None, encryption)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(blob)
    tmp.chmod(0o600)
    tmp.replace(path)
    return path
