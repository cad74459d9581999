"""MRA data types: ``$ref`` resolution and normalisation into the compact codec schema.

The schema is what ``custom_components/hems/echonet/definitions/datatypes/`` builds its codecs
from; :meth:`TypeNormaliser.normalise` documents it.
"""

from __future__ import annotations

from .common import Json, MRAError, hexint, unique_keys

FORMATS: dict[str, tuple[int, bool]] = {
    "uint8": (1, False),
    "int8": (1, True),
    "uint16": (2, False),
    "int16": (2, True),
    "uint32": (4, False),
    "int32": (4, True),
}


class TypeNormaliser:
    """Resolves and normalises the data types of one MRA (its shared ``definitions``)."""

    def __init__(self, definitions: dict[str, Json]) -> None:
        self.definitions = definitions

    def resolve(self, node: Json) -> Json:
        """Resolve every ``$ref`` (sibling keys override the referenced definition)."""
        if isinstance(node, list):
            return [self.resolve(x) for x in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = node["$ref"]
            prefix = "#/definitions/"
            if not ref.startswith(prefix) or ref[len(prefix) :] not in self.definitions:
                raise MRAError(f"unknown $ref {ref!r}")
            merged = dict(self.definitions[ref[len(prefix) :]])
            merged.update({k: v for k, v in node.items() if k != "$ref"})
            return self.resolve(merged)
        return {k: self.resolve(v) for k, v in node.items()}

    # -- types --------------------------------------------------------------------------

    def normalise(self, node: Json, where: str, *, in_bitmap: bool = False) -> Json:
        """Normalise one resolved MRA data type into the compact schema.

        Schema (``t`` is the kind; every node has ``size``: the fixed EDT size or null):

        - number: fmt, min, max, mul (scale, absent = 1), unit, coef (EPC list),
          ovf / unf (false when the MRA disables the overflow / underflow codes), enum
        - state: opts [{edt, to (last EDT of a range), key, name, en, ja, ro}]
        - numericValue: opts [[edt, value]]
        - level: base, max            - bitmap: bits [{key, name, en, ja, index, mask, type}]
        - date-time / date: size      - time: size, maxh (largest hour, 23 unless relative)
        - raw: min, max               - array: item, isz, min, max
        - object: fields [{key, name, en, ja, type}]     - oneOf: alts
        """
        if not isinstance(node, dict):
            raise MRAError(f"{where}: data type is not an object")
        if "oneOf" in node:
            alts = [self.normalise(x, where) for x in node["oneOf"]]
            sizes = {a["size"] for a in alts}
            return {"t": "oneOf", "alts": alts, "size": sizes.pop() if len(sizes) == 1 else None}
        kind = node.get("type")
        handler = getattr(self, "_t_" + str(kind).replace("-", "_"), None)
        if handler is None:
            raise MRAError(f"{where}: unknown data type {kind!r}")
        out: Json = handler(node, where, in_bitmap)
        return out

    def _t_number(self, node: Json, where: str, _bm: bool) -> Json:
        fmt = node.get("format")
        if fmt not in FORMATS:
            raise MRAError(f"{where}: unknown number format {fmt!r}")
        size, signed = FORMATS[fmt]
        lo_fmt = -(1 << (size * 8 - 1)) if signed else 0
        hi_fmt = (1 << (size * 8 - 1)) - 1 if signed else (1 << (size * 8)) - 1
        out: Json = {"t": "number", "fmt": fmt, "size": size}
        lo = node.get("minimum", lo_fmt)
        hi = node.get("maximum", hi_fmt)
        if not (isinstance(lo, int) and isinstance(hi, int) and lo_fmt <= lo <= hi <= hi_fmt):
            raise MRAError(f"{where}: range {lo}..{hi} does not fit {fmt}")
        out["min"], out["max"] = lo, hi
        mul = node.get("multiple", node.get("multipleOf", 1))
        if not isinstance(mul, int | float) or mul <= 0:
            raise MRAError(f"{where}: bad multiple {mul!r}")
        if mul != 1:
            out["mul"] = mul
        if "unit" in node:
            out["unit"] = node["unit"]
        if "coefficient" in node:
            out["coef"] = [hexint(c) for c in node["coefficient"]]
        if node.get("overflowCode", True) is False:
            out["ovf"] = False
        if node.get("underflowCode", True) is False:
            out["unf"] = False
        if "enum" in node:
            values = node["enum"]
            if not all(isinstance(v, int) and lo_fmt <= v <= hi_fmt for v in values):
                raise MRAError(f"{where}: bad enum {values!r}")
            out["enum"] = values
        return out

    def _t_state(self, node: Json, where: str, in_bitmap: bool) -> Json:
        size = node.get("size")
        if not isinstance(size, int) or (size == 0) != in_bitmap:
            raise MRAError(f"{where}: state size {size!r}")
        limit = 1 << (8 * size) if size else 256
        opts = []
        keys = unique_keys(e["name"] for e in node["enum"])
        for key, e in zip(keys, node["enum"], strict=True):
            first, _, last = e["edt"].partition("...")
            opt: Json = {
                "edt": hexint(first),
                "key": key,
                "name": e["name"],
                "en": e["descriptions"]["en"],
                "ja": e["descriptions"]["ja"],
            }
            if last:
                opt["to"] = hexint(last)
                if opt["to"] <= opt["edt"]:
                    raise MRAError(f"{where}: bad EDT range {e['edt']}")
            if e.get("readOnly"):
                opt["ro"] = True
            if max(opt["edt"], opt.get("to", 0)) >= limit:
                raise MRAError(f"{where}: EDT {e['edt']} does not fit {size} bytes")
            opts.append(opt)
        edts = [o["edt"] for o in opts]
        if len(set(edts)) != len(edts):
            raise MRAError(f"{where}: duplicate state EDT")
        return {"t": "state", "size": size, "opts": opts}

    def _t_numericValue(self, node: Json, where: str, _bm: bool) -> Json:
        size = node["size"]
        opts = [[hexint(e["edt"]), e["numericValue"]] for e in node["enum"]]
        if any(edt >= 1 << (8 * size) for edt, _ in opts):
            raise MRAError(f"{where}: numericValue EDT does not fit")
        return {"t": "numericValue", "size": size, "opts": opts}

    def _t_level(self, node: Json, where: str, in_bitmap: bool) -> Json:
        base_text = node.get("base")
        if base_text is None or "maximum" not in node:
            raise MRAError(f"{where}: level without base/maximum")
        size = 0 if in_bitmap else (len(base_text) - 2) // 2
        base, top = hexint(base_text), node["maximum"]
        if not in_bitmap and base + top - 1 >= 1 << (8 * size):
            raise MRAError(f"{where}: level does not fit")
        return {"t": "level", "size": size, "base": base, "max": top}

    def _t_bitmap(self, node: Json, where: str, _bm: bool) -> Json:
        size = node["size"]
        bits = []
        keys = unique_keys(b["name"] for b in node["bitmaps"])
        for key, b in zip(keys, node["bitmaps"], strict=True):
            index = b["position"]["index"]
            mask = int(b["position"]["bitMask"], 2)
            if not 0 <= index < size or not 0 < mask < 256:
                raise MRAError(f"{where}: bad bitmap position {b['position']}")
            value = self.normalise(b["value"], f"{where}/{key}", in_bitmap=True)
            width = (mask >> ((mask & -mask).bit_length() - 1)).bit_length()
            if value["t"] == "level" and value["base"] + value["max"] - 1 >= 1 << width:
                raise MRAError(f"{where}/{key}: level does not fit the mask")
            bits.append(
                {
                    "key": key,
                    "name": b["name"],
                    "en": b["descriptions"]["en"],
                    "ja": b["descriptions"]["ja"],
                    "index": index,
                    "mask": mask,
                    "type": value,
                }
            )
        return {"t": "bitmap", "size": size, "bits": bits}

    def _t_date_time(self, node: Json, where: str, _bm: bool) -> Json:
        size = node.get("size", 7)
        if not 4 <= size <= 7:
            raise MRAError(f"{where}: date-time size {size}")
        return {"t": "date-time", "size": size}

    def _t_date(self, node: Json, where: str, _bm: bool) -> Json:
        if node.get("size", 4) != 4:
            raise MRAError(f"{where}: date size {node.get('size')}")
        return {"t": "date", "size": 4}

    def _t_time(self, node: Json, where: str, _bm: bool) -> Json:
        size = node.get("size", 3)
        if size not in (2, 3):
            raise MRAError(f"{where}: time size {size}")
        return {"t": "time", "size": size, "maxh": node.get("maximumOfHour", 23)}

    def _t_raw(self, node: Json, where: str, _bm: bool) -> Json:
        lo, hi = node.get("minSize", 0), node.get("maxSize", 255)
        if not 0 <= lo <= hi <= 255:
            raise MRAError(f"{where}: raw size {lo}..{hi}")
        return {"t": "raw", "min": lo, "max": hi, "size": lo if lo == hi else None}

    def _t_array(self, node: Json, where: str, _bm: bool) -> Json:
        item = self.normalise(node["items"], f"{where}[]")
        isz = node.get("itemSize", item["size"])
        if item["size"] is None or isz != item["size"]:
            raise MRAError(f"{where}: array item size {isz} vs {item['size']}")
        lo, hi = node.get("minItems", 0), node.get("maxItems")
        if hi is None or not 0 <= lo <= hi:
            raise MRAError(f"{where}: array count {lo}..{hi}")
        size = isz * lo if lo == hi else None
        return {"t": "array", "item": item, "isz": isz, "min": lo, "max": hi, "size": size}

    def _t_object(self, node: Json, where: str, _bm: bool) -> Json:
        props = node["properties"]
        keys = unique_keys(p["shortName"] for p in props)
        fields = []
        for i, (key, p) in enumerate(zip(keys, props, strict=True)):
            ftype = self.normalise(p["element"], f"{where}.{key}")
            if ftype["size"] is None and i != len(props) - 1:
                raise MRAError(f"{where}.{key}: variable-size element before the last")
            name = p.get("elementName", {})
            fields.append(
                {
                    "key": key,
                    "name": p["shortName"],
                    "en": name.get("en", p["shortName"]),
                    "ja": name.get("ja", p["shortName"]),
                    "type": ftype,
                }
            )
        sizes = [f["type"]["size"] for f in fields]
        size = None if None in sizes else sum(sizes)
        return {"t": "object", "fields": fields, "size": size}

    # -- classes ------------------------------------------------------------------------
