"""Where a webhook may be sent: one rule for the form parser and for delivery.

The parser applies it to the URL as written (`forms check`, `forms load`), without a
network: https only (http where the development setting allows it), no user name or
password, and no host that is this machine or an address that is not public — a
literal IP in any of the forms a resolver accepts (`127.0.0.1`, `2130706433`,
`0177.0.0.1`, `0x7f.1`, `[::ffff:127.0.0.1]`) or a `localhost` name.

Delivery (app/notify/webhook.py) applies the same rule to the URL again and then to
every address the name resolves to, and connects only to an address it has checked.

Pure: no Flask, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Any
from urllib.parse import quote, urlsplit

from .errors import Detail

IPAddress = IPv4Address | IPv6Address

# ranges whose hosts are someone's private network (RFC 1918, shared CGN space, ULA)
_PRIVATE = tuple(
    map(IPv4Network, ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))
) + (IPv6Network("fc00::/7"),)
# IPv6 addresses that carry an IPv4 address which a gateway may connect to
_NAT64 = (IPv6Network("64:ff9b::/96"), IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = IPv6Network("::/96")

_AS_SENT = "/?#[]@!$&'()*+,;=:%-._~"  # characters a request target keeps as they are
_DECIMAL = re.compile(r"[0-9]+")
_OCTAL = re.compile(r"0[0-7]*")
_HEX = re.compile(r"0[xX][0-9a-fA-F]*")
# a host name as DNS has it, after IDNA (underscores occur in real names)
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")


@dataclass(frozen=True)
class Rules:
    """What a deployment allows besides https to public addresses."""

    allow_http: bool = False  # WEBHOOK_ALLOW_HTTP: development only
    allow_private: bool = False  # WEBHOOK_ALLOW_PRIVATE: development and tests only


STRICT = Rules()
# stored form versions were checked when they were loaded; delivery checks again
ANY = Rules(allow_http=True, allow_private=True)


class Malformed(ValueError):
    """Not an http(s) URL with a host at all."""


class Refused(ValueError):
    """A URL that is a URL, but not one a webhook may be sent to: `reason` says why."""

    def __init__(self, reason: Detail, **params: Any):
        super().__init__(reason.render("en", params))
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class Destination:
    """A checked URL, split as delivery needs it."""

    scheme: str  # https | http
    host: str  # as sent in Host and as the TLS server name (IDNA, lowercase, no brackets)
    port: int
    target: str  # path and query, as sent in the request line
    literal: IPAddress | None  # the host, when it is an address


def destination(url: Any, rules: Rules = STRICT) -> Destination:
    """`url` as a webhook destination, or raise Malformed / Refused."""
    if not isinstance(url, str) or not url or any(c.isspace() or ord(c) < 32 for c in url):
        raise Malformed(url)
    try:
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname
    except ValueError:  # a port that is not a number, brackets that hold no address
        raise Malformed(url) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not hostname:
        if scheme not in ("http", "https") and parts.netloc:
            raise Refused(Detail.HTTPS_ONLY)
        raise Malformed(url)
    if scheme == "http" and not rules.allow_http:
        raise Refused(Detail.HTTPS_ONLY)
    if parts.username is not None or parts.password is not None:
        raise Refused(Detail.CREDENTIALS)
    host, literal = _host(hostname, bracketed=parts.netloc.rpartition("@")[2].startswith("["))
    if not rules.allow_private:
        if literal is None and (host == "localhost" or host.endswith(".localhost")):
            raise Refused(Detail.LOCALHOST)
        if literal is not None:
            kind = address_problem(literal)
            if kind is not None:
                raise Refused(Detail.NOT_PUBLIC, kind=kind)
    # as sent in the request line: ASCII, what was already escaped left as it is
    target = quote((parts.path or "/") + (f"?{parts.query}" if parts.query else ""), _AS_SENT)
    if port is None:
        port = 443 if scheme == "https" else 80
    return Destination(scheme, host, port, target, literal)


def _host(hostname: str, *, bracketed: bool) -> tuple[str, IPAddress | None]:
    """(the host as sent, its address when it is one); raise Malformed or Refused."""
    if bracketed:
        try:
            return hostname, IPv6Address(hostname)
        except ValueError:
            raise Malformed(hostname) from None
    name = hostname[:-1] if hostname.endswith(".") else hostname
    number = ipv4_literal(name)
    if number is not None:
        return str(number), number
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise Malformed(hostname) from None
    if not _HOST_NAME.fullmatch(name):
        raise Malformed(hostname)
    return name, None


def ipv4_literal(host: str) -> IPv4Address | None:
    """The IPv4 address a resolver reads `host` as (`127.1`, `2130706433`, `0x7f.0.0.1`,
    `0177.0.0.1` are all 127.0.0.1), None for a name; a host that ends in a number
    but is no address is refused, as browsers refuse it."""
    labels = host.split(".")
    last = labels[-1]
    if not (_DECIMAL.fullmatch(last) or _HEX.fullmatch(last)):
        return None
    numbers = [_ipv4_number(label) for label in labels]
    if len(labels) > 4 or None in numbers:
        raise Refused(Detail.NUMERIC_HOST)
    *high, low = numbers
    if any(n > 255 for n in high) or low >= 256 ** (4 - len(high)):
        raise Refused(Detail.NUMERIC_HOST)
    value = low
    for i, n in enumerate(high):
        value += n << (8 * (3 - i))
    return IPv4Address(value)


def _ipv4_number(label: str) -> int | None:
    if _HEX.fullmatch(label):
        return int(label[2:] or "0", 16)
    if _OCTAL.fullmatch(label):
        return int(label, 8)
    if _DECIMAL.fullmatch(label):
        return int(label)
    return None


def address_problem(address: IPAddress) -> Detail | None:
    """Why a connection to `address` would reach inside rather than a public host
    (a Detail naming the kind of address), or None for a public address. An IPv6
    address that carries an IPv4 one (mapped, NAT64, 6to4, compatible) is judged
    by the IPv4 address it carries."""
    if isinstance(address, IPv6Address):
        address = _embedded_ipv4(address) or address
    if address.is_unspecified:
        return Detail.UNSPECIFIED
    if address.is_loopback:
        return Detail.LOOPBACK
    if address.is_link_local:
        return Detail.LINK_LOCAL
    if address.is_multicast:
        return Detail.MULTICAST
    if any(address in net for net in _PRIVATE if net.version == address.version):
        return Detail.PRIVATE
    if address.is_private or address.is_reserved or not address.is_global:
        return Detail.RESERVED
    return None


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in net for net in _NAT64) or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None
