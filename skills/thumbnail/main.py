# Image thumbnail: shrinks a PNG image to fit a box, keeping its proportions, by averaging the
# source pixels under each thumbnail pixel (a box filter, so edges stay smooth), and answers the
# thumbnail as a PNG. Plain Python (zlib from the standard library): 8-bit greyscale, grey with
# alpha, RGB, RGBA and palette PNGs, not interlaced.
# One call: {"endpoint": "thumbnail", "payload": {"png": "<base64>", "maxSize": 64}} on stdin,
# the answer as one JSON line on stdout.
import base64
import binascii
import json
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
MAX_PIXELS = 4_000_000


class Refused(Exception):
    pass


def chunks(data):
    if not data.startswith(SIGNATURE):
        raise Refused("not a PNG image")
    at = len(SIGNATURE)
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        body = data[at + 8 : at + 8 + length]
        if len(body) != length:
            raise Refused("the PNG is cut short")
        yield kind, body
        at += 12 + length
        if kind == b"IEND":
            return
    raise Refused("the PNG has no end")


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(data):
    """The image as (width, height, rows of RGBA bytes)."""
    header, palette, alpha, compressed = None, None, None, []
    for kind, body in chunks(data):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            alpha = body
        elif kind == b"IDAT":
            compressed.append(body)
    if header is None:
        raise Refused("the PNG has no header")
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in CHANNELS or interlace != 0:
        raise Refused("only 8-bit, non-interlaced PNGs are supported")
    if width == 0 or height == 0 or width * height > MAX_PIXELS:
        raise Refused("the image must have between 1 and " + str(MAX_PIXELS) + " pixels")
    if color == 3 and palette is None:
        raise Refused("a palette PNG without its palette")
    channels = CHANNELS[color]
    stride = width * channels
    raw = zlib.decompressobj().decompress(b"".join(compressed), (stride + 1) * height + 1)
    if len(raw) < (stride + 1) * height:
        raise Refused("the PNG's pixels are cut short")
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + paeth(left, up, corner)) & 0xFF
            elif kind != 0:
                raise Refused("the PNG uses an unknown row filter")
        rows.append(rgba(line, color, palette, alpha))
        previous = line
    return width, height, rows


def rgba(line, color, palette, alpha):
    out = bytearray()
    if color == 6:
        return bytes(line)
    if color == 2:
        for i in range(0, len(line), 3):
            out += line[i : i + 3] + b"\xff"
    elif color == 0:
        for v in line:
            out += bytes((v, v, v, 255))
    elif color == 4:
        for i in range(0, len(line), 2):
            out += bytes((line[i], line[i], line[i], line[i + 1]))
    else:
        for index in line:
            if 3 * index + 3 > len(palette):
                raise Refused("a pixel names a colour the palette lacks")
            out += palette[3 * index : 3 * index + 3] + bytes((alpha[index] if alpha and index < len(alpha) else 255,))
    return bytes(out)


def shrink(width, height, rows, box):
    scale = min(1.0, box / max(width, height))
    tw, th = max(1, round(width * scale)), max(1, round(height * scale))
    out = []
    for ty in range(th):
        y0, y1 = ty * height // th, max(ty * height // th + 1, (ty + 1) * height // th)
        line = bytearray()
        for tx in range(tw):
            x0, x1 = tx * width // tw, max(tx * width // tw + 1, (tx + 1) * width // tw)
            sums, n = [0, 0, 0, 0], (y1 - y0) * (x1 - x0)
            for y in range(y0, y1):
                row = rows[y]
                for x in range(x0, x1):
                    for c in range(4):
                        sums[c] += row[4 * x + c]
            line += bytes((s + n // 2) // n for s in sums)
        out.append(bytes(line))
    return tw, th, out


def encode(width, height, rows):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", binascii.crc32(kind + body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    return SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    call = json.loads(sys.stdin.readline())
    payload = call.get("payload") or {}
    if call.get("endpoint") != "thumbnail":
        print(json.dumps({"error": "unknown endpoint"}))
        sys.exit(2)
    box = payload.get("maxSize", 64)
    if not isinstance(box, int) or isinstance(box, bool) or not 1 <= box <= 512:
        sys.stderr.write("maxSize must be a whole number from 1 to 512\n")
        sys.exit(1)
    try:
        data = base64.b64decode(payload.get("png", ""), validate=True)
        width, height, rows = decode(data)
    except (binascii.Error, ValueError):
        sys.stderr.write("png must be a base64 PNG image\n")
        sys.exit(1)
    except (Refused, zlib.error) as error:
        sys.stderr.write(str(error) + "\n")
        sys.exit(1)
    tw, th, small = shrink(width, height, rows, box)
    png = encode(tw, th, small)
    print(json.dumps({"width": tw, "height": th, "sourceWidth": width, "sourceHeight": height, "png": base64.b64encode(png).decode("ascii")}))


main()
