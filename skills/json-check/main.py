# JSON Schema check: validates a JSON document against a JSON Schema (the draft 2020-12 keywords
# for types, numbers, strings, arrays, objects and combinations; local "$ref"s to "#/$defs/..."),
# and lists every place the document breaks the schema, each with its JSON Pointer.
# One call: {"endpoint": "validate", "payload": {"schema": {...}, "document": ...}} on stdin,
# the answer as one JSON line on stdout.
import json
import math
import re
import sys

MAX_ERRORS = 100


def type_of(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def is_type(value, name):
    actual = type_of(value)
    return actual == name or (name == "number" and actual == "integer")


def count(n, word):
    return str(n) + " " + word + ("" if n == 1 else "s")


def pointer(path):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def equal(a, b):
    if type_of(a) != type_of(b) and not (is_type(a, "number") and is_type(b, "number")):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return a == b


class Checker:
    def __init__(self, root):
        self.root = root
        self.errors = []

    def fail(self, path, message):
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"path": pointer(path), "message": message})

    def resolve(self, ref):
        if not ref.startswith("#"):
            raise ValueError("only local $ref (#/...) is supported: " + ref)
        node = self.root
        for part in ref[1:].split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise ValueError("$ref " + ref + " points nowhere")
            node = node[part]
        return node

    def valid(self, schema, value):
        """Whether value matches schema, without recording anything."""
        probe = Checker(self.root)
        probe.check(schema, value, [])
        return not probe.errors

    def check(self, schema, value, path, depth=0):
        if depth > 64:
            raise ValueError("the schema nests $ref deeper than 64")
        if schema is True:
            return
        if schema is False:
            return self.fail(path, "no value is allowed here")
        if not isinstance(schema, dict):
            raise ValueError("a schema must be an object or a boolean")
        if "$ref" in schema:
            self.check(self.resolve(schema["$ref"]), value, path, depth + 1)
        kind = schema.get("type")
        if kind is not None:
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(is_type(value, k) for k in kinds):
                return self.fail(path, "must be " + " or ".join(kinds) + ", not " + type_of(value))
        if "const" in schema and not equal(value, schema["const"]):
            self.fail(path, "must be " + json.dumps(schema["const"]))
        if "enum" in schema and not any(equal(value, v) for v in schema["enum"]):
            self.fail(path, "must be one of " + ", ".join(json.dumps(v) for v in schema["enum"]))
        if is_type(value, "number"):
            self.number(schema, value, path)
        elif isinstance(value, str):
            self.string(schema, value, path)
        elif isinstance(value, list):
            self.array(schema, value, path, depth)
        elif isinstance(value, dict):
            self.object(schema, value, path, depth)
        for sub in schema.get("allOf", []):
            self.check(sub, value, path, depth + 1)
        if "anyOf" in schema and not any(self.valid(s, value) for s in schema["anyOf"]):
            self.fail(path, "matches none of anyOf")
        if "oneOf" in schema:
            matched = sum(1 for s in schema["oneOf"] if self.valid(s, value))
            if matched != 1:
                self.fail(path, "matches " + str(matched) + " of oneOf, not exactly one")
        if "not" in schema and self.valid(schema["not"], value):
            self.fail(path, "must not match the schema under not")

    def number(self, schema, value, path):
        if "minimum" in schema and value < schema["minimum"]:
            self.fail(path, "must be at least " + json.dumps(schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            self.fail(path, "must be at most " + json.dumps(schema["maximum"]))
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            self.fail(path, "must be more than " + json.dumps(schema["exclusiveMinimum"]))
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            self.fail(path, "must be less than " + json.dumps(schema["exclusiveMaximum"]))
        step = schema.get("multipleOf")
        if step:
            quotient = value / step
            if not math.isclose(quotient, round(quotient), rel_tol=0, abs_tol=1e-9):
                self.fail(path, "must be a multiple of " + json.dumps(step))

    def string(self, schema, value, path):
        length = len(value)
        if "minLength" in schema and length < schema["minLength"]:
            self.fail(path, "must have at least " + count(schema["minLength"], "character"))
        if "maxLength" in schema and length > schema["maxLength"]:
            self.fail(path, "must have at most " + count(schema["maxLength"], "character"))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            self.fail(path, "must match the pattern " + schema["pattern"])

    def array(self, schema, value, path, depth):
        if "minItems" in schema and len(value) < schema["minItems"]:
            self.fail(path, "must have at least " + count(schema["minItems"], "item"))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            self.fail(path, "must have at most " + count(schema["maxItems"], "item"))
        if schema.get("uniqueItems"):
            for i in range(len(value)):
                if any(equal(value[i], value[j]) for j in range(i)):
                    self.fail(path + [i], "repeats an earlier item")
        prefix = schema.get("prefixItems", [])
        for i, item in enumerate(value):
            if i < len(prefix):
                self.check(prefix[i], item, path + [i], depth + 1)
            elif "items" in schema:
                self.check(schema["items"], item, path + [i], depth + 1)
        if "contains" in schema and not any(self.valid(schema["contains"], item) for item in value):
            self.fail(path, "has no item matching contains")

    def object(self, schema, value, path, depth):
        for name in schema.get("required", []):
            if name not in value:
                self.fail(path, "must have the property " + json.dumps(name))
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            self.fail(path, "must have at least " + count(schema["minProperties"], "property").replace("propertys", "properties"))
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            self.fail(path, "must have at most " + count(schema["maxProperties"], "property").replace("propertys", "properties"))
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        for name, item in value.items():
            matched = False
            if name in properties:
                matched = True
                self.check(properties[name], item, path + [name], depth + 1)
            for pattern, sub in patterns.items():
                if re.search(pattern, name):
                    matched = True
                    self.check(sub, item, path + [name], depth + 1)
            if not matched and "additionalProperties" in schema:
                extra = schema["additionalProperties"]
                if extra is False:
                    self.fail(path + [name], "is not an allowed property")
                else:
                    self.check(extra, item, path + [name], depth + 1)


def main():
    call = json.loads(sys.stdin.readline())
    payload = call.get("payload") or {}
    if call.get("endpoint") != "validate":
        print(json.dumps({"error": "unknown endpoint"}))
        sys.exit(2)
    if "schema" not in payload or "document" not in payload:
        sys.stderr.write("send a schema and a document\n")
        sys.exit(1)
    checker = Checker(payload["schema"])
    try:
        checker.check(payload["schema"], payload["document"], [])
    except (ValueError, re.error) as error:
        sys.stderr.write("the schema cannot be used: " + str(error) + "\n")
        sys.exit(1)
    print(json.dumps({"valid": not checker.errors, "errors": checker.errors}))


main()
