"""The secret key: from ``SECRET_KEY``, or generated once per instance folder."""

import os
import secrets

MIN_LENGTH = 32


class WeakSecretKey(RuntimeError):
    """SECRET_KEY is set but too short to sign anything safely."""


def instance_secret(folder):
    """Read the instance's secret key, creating it (mode 0600) the first time.

    Several workers may start at once: the key is written to a temporary
    file and linked into place, so exactly one key ever exists.
    """
    path = os.path.join(folder, "secret_key")
    if not os.path.exists(path):
        os.makedirs(folder, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker was first; use its key
        finally:
            os.unlink(temporary)
    with open(path) as f:
        return f.read().strip()


def check_strength(key):
    if len(key) < MIN_LENGTH:
        raise WeakSecretKey(
            f"SECRET_KEY is shorter than {MIN_LENGTH} characters; unset it to have one "
            "generated, or set a long random one (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
