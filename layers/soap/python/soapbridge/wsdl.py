"""Loading a bundled WSDL with zeep: local files only, parsed safely, once per container.

* Every document (the WSDL, its ``wsdl:import``s, ``xs:import``s and ``xs:include``s) is read from
  the directory the WSDL was bundled in. A reference to anything else (``http://``, a path outside
  that directory) is refused with an error that says which file to bundle: nothing is fetched at
  cold start and nothing is written (zeep's cache is off).
* zeep parses with DTDs, entity declarations and external entities forbidden.
* zeep drops XML Schema facets; enumerations are read here from the same bytes so the input
  contract can list and check them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
# Every document the bridge parses itself (schemas for enumerations, responses): no DTD loading, no
# entity resolution, no network, no huge trees (libxml2's own depth and size limits apply).
SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True
)


class WsdlError(ValueError):
    """The bundled WSDL cannot be used as declared."""


def _transport_class() -> type:
    from zeep.transports import Transport

    class BundledFiles(Transport):
        """A zeep transport that only reads files inside the WSDL's own directory."""

        def __init__(self, root: Path) -> None:
            super().__init__(cache=None)
            self.root = root
            self.documents: dict[str, bytes] = {}

        def load(self, url: str) -> bytes:
            location = url[7:] if url.startswith("file://") else url
            if "://" in location:
                raise WsdlError(f"the WSDL refers to {url}; download it, bundle it next to the WSDL and refer to it by relative path")
            path = Path(location).resolve()
            if not path.is_relative_to(self.root):
                raise WsdlError(f"the WSDL refers to {path.name}, outside its bundle directory {self.root.name}/")
            try:
                data = path.read_bytes()
            except OSError:
                raise WsdlError(f"the WSDL refers to {path.name}, which is not bundled next to it") from None
            self.documents[str(path)] = data
            return data

    return BundledFiles


@cache
def load(path: str) -> tuple[Any, dict[str, tuple[str, ...]]]:
    """(zeep Document, enumerations) for a bundled WSDL file; cached per process (= per container)."""
    from zeep.settings import Settings
    from zeep.wsdl import Document

    wsdl = Path(path).resolve()
    if not wsdl.is_file():
        raise WsdlError(f"WSDL file {path} does not exist")
    transport = _transport_class()(wsdl.parent)
    settings = Settings(strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        document = Document(str(wsdl), transport, settings=settings)
    except WsdlError:
        raise
    except Exception as exc:  # zeep's own errors: say which file and why, briefly
        url = getattr(exc, "url", None)
        if type(exc).__name__ == "ExternalReferenceForbidden" and url:
            raise WsdlError(f"the WSDL refers to {url}; download it, bundle it next to the WSDL and refer to it by relative path") from None
        raise WsdlError(f"zeep could not load {wsdl.name}: {type(exc).__name__}: {str(exc)[:300]}") from None
    return document, enumerations(transport.documents.values())


def enumerations(documents: Any) -> dict[str, tuple[str, ...]]:
    """Enumeration values by simple type (``{ns}name``) and by element for inline types (``element:{ns}name``)."""
    found: dict[str, tuple[str, ...] | None] = {}
    for data in documents:
        root = etree.fromstring(data, SAFE_PARSER)
        for schema in root.iter(f"{{{XS}}}schema"):
            tns = schema.get("targetNamespace") or ""
            qualified = schema.get("elementFormDefault") == "qualified"
            for simple in schema.iter(f"{{{XS}}}simpleType"):
                values = tuple(e.get("value") for e in simple.iterfind(f"{{{XS}}}restriction/{{{XS}}}enumeration"))
                if not values:
                    continue
                parent = simple.getparent()
                if simple.get("name"):
                    key = f"{{{tns}}}{simple.get('name')}"
                elif parent is not None and parent.tag in (f"{{{XS}}}element", f"{{{XS}}}attribute") and parent.get("name"):
                    is_global = parent.getparent() is schema
                    name = parent.get("name")
                    key = "element:" + (f"{{{tns}}}{name}" if (is_global or qualified) else name)
                else:
                    continue
                # two inline types under the same element name with different values: no enum is safer
                found[key] = values if found.get(key, values) == values else None
    return {k: v for k, v in found.items() if v}
