"""Which URLs a webhook may call: the guard against server-side request forgery.

A URL is http or https, names a host and no user or password, and every address its host resolves to is
a public one: not private, loopback, link-local, multicast, reserved or unspecified (an IPv4 address
written as IPv6 is judged as IPv4). It is checked when an admin adds it and again at each delivery, whose
connection goes to the address checked then, so that a DNS answer changed in between (DNS rebinding)
cannot point it inside. ``allow_private`` (the ``WEBHOOKS_ALLOW_PRIVATE`` setting) lifts the address check.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

SCHEMES = {"http": 80, "https": 443}


class RefusedAddress(ValueError):
    """The URL may not be called; ``reason`` says why: scheme, credentials, host, unresolved, private."""

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """Where one request goes: the URL's parts, and the address checked to connect to."""

    scheme: str
    host: str
    port: int
    path: str  # with its query
    address: str

    @property
    def host_header(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == SCHEMES[self.scheme] else f"{host}:{self.port}"


def parse(url):
    """(scheme, host, port, path) of a URL a webhook may have, whatever its host resolves to; RefusedAddress."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedAddress("host", str(error)) from error
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise RefusedAddress("scheme", scheme)
    if parts.username is not None or parts.password is not None:
        raise RefusedAddress("credentials")
    if not parts.hostname:
        raise RefusedAddress("host")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port or SCHEMES[scheme], path


def public(address):
    ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 scope (fe80::1%eth0) is link-local anyway
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified) and ip.is_global


def resolve(url, *, allow_private=False):
    """The Target of ``url``, its host resolved now; RefusedAddress when it may not be called."""
    scheme, host, port, path = parse(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedAddress("unresolved", host) from error
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise RefusedAddress("unresolved", host)
    # Every address must pass: a name that answers with a public and a private address is refused.
    refused = [a for a in addresses if not public(a)]
    if refused and not allow_private:
        raise RefusedAddress("private", refused[0])
    return Target(scheme, host, port, path, addresses[0])
