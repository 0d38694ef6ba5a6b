"""`sro-assistant corpus fetch`: download the official documents, or import a mirror."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx

from assistant.registry import Registry, Source
from assistant.settings import Settings
from ingest.fetched import read_fetched_index, write_fetched_index
from ingest.loaders import sniff

ALLOWED_TYPES = {"application/pdf": "pdf", "text/html": "html", "application/xhtml+xml": "html",
                 "text/plain": "txt", "text/markdown": "md"}
USER_AGENT = "sro-policy-assistant/0.1 (+corpus fetch)"


class FetchError(Exception):
    pass


class NoNetwork(FetchError):
    pass


@dataclass
class FetchReport:
    stored: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def fetch_all(settings: Settings, registry: Registry, only: list[str] | None = None,
              client: httpx.Client | None = None) -> FetchReport:
    """Download every registry document that has no mirror copy; stop at once without a network."""
    report = FetchReport()
    index = read_fetched_index(settings)
    own_client = client is None
    client = client or httpx.Client(timeout=settings.fetch_timeout_s, follow_redirects=True,
                                    headers={"User-Agent": USER_AGENT})
    staged: dict[str, tuple[Path, dict]] = {}
    tmpdir = Path(tempfile.mkdtemp(prefix="sro-fetch-"))
    try:
        for source in registry:
            if only and source.id not in only:
                continue
            try:
                path, entry = _download(client, source, settings, tmpdir)
            except NoNetwork:
                raise
            except FetchError as exc:
                report.failed[source.id] = str(exc)
                continue
            staged[source.id] = (path, entry)
        # Only now touch the data folder: a run that stopped early changed nothing.
        settings.fetched_dir.mkdir(parents=True, exist_ok=True)
        for source_id, (path, entry) in staged.items():
            shutil.move(str(path), settings.fetched_dir / entry["file"])
            index[source_id] = entry
            report.stored.append(source_id)
        if staged:
            write_fetched_index(settings, index)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
        if own_client:
            client.close()
    return report


def _download(client: httpx.Client, source: Source, settings: Settings, tmpdir: Path) -> tuple[Path, dict]:
    limit = int(settings.max_file_mb * 1024 * 1024)
    last_error = "no attempt"
    for attempt in range(settings.fetch_retries + 1):
        if attempt:
            time.sleep(min(2.0, 0.25 * 2 ** attempt))
        try:
            with client.stream("GET", source.url) as response:
                if response.status_code >= 500:
                    last_error = f"HTTP {response.status_code}"
                    continue
                if response.status_code != 200:
                    raise FetchError(f"{source.url}: HTTP {response.status_code}")
                ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype not in ALLOWED_TYPES:
                    raise FetchError(f"{source.url}: unexpected content type {ctype or '(none)'}")
                declared = int(response.headers.get("content-length") or 0)
                if declared > limit:
                    raise FetchError(f"{source.url}: too large ({declared} bytes; limit {limit})")
                data = bytearray()
                for block in response.iter_bytes():
                    data.extend(block)
                    if len(data) > limit:
                        raise FetchError(f"{source.url}: too large (over {limit} bytes)")
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if attempt < settings.fetch_retries and not _is_dns_or_refused(exc):
                last_error = type(exc).__name__
                continue
            raise NoNetwork(f"cannot reach {httpx.URL(source.url).host} ({type(exc).__name__}); "
                            "no network? Use `sro-assistant corpus fetch --from DIR` with an offline mirror") from None
        except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            last_error = type(exc).__name__
            continue
        ext = ALLOWED_TYPES[ctype]
        if (ext == "pdf") != (sniff(bytes(data)) == "pdf"):
            raise FetchError(f"{source.url}: content does not match its type {ctype}")
        path = tmpdir / f"{source.id}.{ext}"
        path.write_bytes(data)
        return path, {
            "file": path.name, "url": source.url, "content_type": ctype,
            "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
            "retrieved": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
    raise FetchError(f"{source.url}: failed after {settings.fetch_retries + 1} attempts ({last_error})")


def _is_dns_or_refused(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(s in text for s in ("name or service", "temporary failure in name", "nodename",
                                   "connection refused", "network is unreachable"))


def import_mirror(settings: Settings, registry: Registry, mirror: Path) -> FetchReport:
    """Copy an offline mirror (folders named in the registry's `mirror` field) into the data folder."""
    report = FetchReport()
    mirror = Path(mirror)
    if not mirror.is_dir():
        raise FetchError(f"{mirror}: no such folder")
    index = read_fetched_index(settings)
    target_root = settings.fetched_dir / "mirror"
    for source in registry:
        folder = mirror / source.mirror if source.mirror else None
        if folder is None or not folder.is_dir():
            report.skipped.append(source.id)
            continue
        files = sorted(folder.glob("*.md"))
        digest = hashlib.sha256()
        target = target_root / source.mirror
        target.mkdir(parents=True, exist_ok=True)
        for path in files:
            data = path.read_bytes()
            digest.update(data)
            (target / path.name).write_bytes(data)
        index[source.id] = {
            "mirror": source.mirror, "files": len(files), "sha256": digest.hexdigest(),
            "url": source.url, "from": str(mirror),
            "retrieved": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        report.stored.append(source.id)
    write_fetched_index(settings, index)
    return report
