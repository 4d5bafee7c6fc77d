"""Pascal VOC reading (untrusted XML) and writing (strict readers)."""

from __future__ import annotations

import pytest
from lxml import etree

from labelstudio_desktop.core.formats.voc import VocError, VocObject, clamp_object, read_voc, voc_xml

# As labelImg 1.8 writes it (tabs, verified attribute, two objects).
LABELIMG_XML = """<annotation verified="yes">
\t<folder>parts</folder>
\t<filename>IMG_0042.jpg</filename>
\t<path>/home/op/parts/IMG_0042.jpg</path>
\t<source>
\t\t<database>Unknown</database>
\t</source>
\t<size>
\t\t<width>640</width>
\t\t<height>480</height>
\t\t<depth>3</depth>
\t</size>
\t<segmented>0</segmented>
\t<object>
\t\t<name>bolt</name>
\t\t<pose>Left</pose>
\t\t<truncated>1</truncated>
\t\t<difficult>0</difficult>
\t\t<bndbox>
\t\t\t<xmin>1</xmin>
\t\t\t<ymin>17</ymin>
\t\t\t<xmax>191</xmax>
\t\t\t<ymax>480</ymax>
\t\t</bndbox>
\t</object>
\t<object>
\t\t<name>nut</name>
\t\t<pose>Unspecified</pose>
\t\t<truncated>0</truncated>
\t\t<difficult>1</difficult>
\t\t<bndbox>
\t\t\t<xmin>300</xmin>
\t\t\t<ymin>200</ymin>
\t\t\t<xmax>340</xmax>
\t\t\t<ymax>241</ymax>
\t\t</bndbox>
\t</object>
</annotation>
"""


def test_labelimg_file_is_read_with_flags(tmp_path):
    (tmp_path / "a.xml").write_text(LABELIMG_XML)
    ann = read_voc(tmp_path / "a.xml")
    assert ann.verified and (ann.width, ann.height, ann.depth) == (640, 480, 3)
    bolt, nut = ann.objects
    assert (bolt.x0, bolt.y0, bolt.x1, bolt.y1) == (0, 16, 191, 480)  # 1-based inclusive -> 0-based edges
    assert (bolt.pose, bolt.truncated, bolt.difficult) == ("Left", True, False)
    assert nut.difficult and not nut.truncated


def test_write_then_read_is_exact():
    objs = [VocObject("bolt", 0, 16, 191, 480, "Left", True, False), VocObject("nut", 299, 199, 340, 241)]
    xml = voc_xml("parts", "a.jpg", "/x/a.jpg", 640, 480, 3, objs, verified=True)
    root = etree.fromstring(xml)
    assert root.get("verified") == "yes"
    for tag in ("folder", "filename", "path", "source/database", "size/width", "size/height", "size/depth",
                "segmented"):
        assert root.find(tag) is not None, tag
    for obj in root.iter("object"):
        for tag in ("name", "pose", "truncated", "difficult", "bndbox/xmin", "bndbox/ymin", "bndbox/xmax",
                    "bndbox/ymax"):
            int(obj.find(tag).text) if tag.startswith(("bndbox", "trunc", "diff")) else obj.find(tag).text
    assert [o.find("bndbox/xmin").text for o in root.iter("object")] == ["1", "300"]


def test_float_coordinates_from_other_tools_are_rounded(tmp_path):
    (tmp_path / "f.xml").write_text(LABELIMG_XML.replace("<xmin>300</xmin>", "<xmin>300.0</xmin>")
                                    .replace("<ymax>241</ymax>", "<ymax>240.6</ymax>"))
    nut = read_voc(tmp_path / "f.xml").objects[1]
    assert (nut.x0, nut.y1) == (299, 241)


def test_objects_without_name_or_coordinates_become_warnings(tmp_path):
    bad = LABELIMG_XML.replace("<name>bolt</name>", "").replace("<xmax>340</xmax>", "<xmax>wide</xmax>")
    (tmp_path / "b.xml").write_text(bad)
    ann = read_voc(tmp_path / "b.xml")
    assert ann.objects == []
    assert len(ann.warnings) == 2 and "no <name>" in ann.warnings[0] and "non-numeric" in ann.warnings[1]


@pytest.mark.parametrize("content, reason", [
    ("", "empty annotation file"),
    ("<annotation><object>", "malformed XML"),
    ("<html><body/></html>", "not a Pascal VOC annotation"),
    ('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
     "<annotation><filename>&xxe;</filename></annotation>", "DTD"),
    ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
     '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><annotation><filename>&lol3;</filename></annotation>', "DTD"),
])
def test_hostile_or_broken_xml_is_refused_plainly(tmp_path, content, reason):
    (tmp_path / "h.xml").write_text(content)
    with pytest.raises(VocError, match=reason):
        read_voc(tmp_path / "h.xml")


def test_external_entity_is_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    (tmp_path / "x.xml").write_text(
        f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<annotation><object><name>&xxe;</name></object></annotation>")
    with pytest.raises(VocError) as info:
        read_voc(tmp_path / "x.xml")
    assert "TOP-SECRET" not in str(info.value)


def test_clamping_to_the_image():
    kept, warning = clamp_object(VocObject("a", -3, 2, 50, 90), 40, 80)
    assert (kept.x0, kept.y0, kept.x1, kept.y1) == (0, 2, 40, 80) and "clipped" in warning
    gone, warning = clamp_object(VocObject("a", 50, 2, 60, 9), 40, 80)
    assert gone is None and "outside" in warning


def test_our_own_large_export_reads_back(tmp_path):
    """A VOC XML past the old 10 MB limit, as our writer writes it (issue 13 item 17), reads back whole."""
    objects = [VocObject(f"class {k % 7}", k % 500, k % 300, k % 500 + 9, k % 300 + 9) for k in range(52_000)]
    path = tmp_path / "big.xml"
    path.write_bytes(voc_xml("f", "big.jpg", "big.jpg", 600, 400, 3, objects))
    assert path.stat().st_size > 10_000_000
    ann = read_voc(path)
    assert [(o.name, o.x0, o.y0, o.x1, o.y1) for o in ann.objects] == [
        (o.name, o.x0, o.y0, o.x1, o.y1) for o in objects]


def test_a_text_node_past_libxml2s_default_limit_is_read(tmp_path):
    path = tmp_path / "long.xml"
    path.write_text("<annotation><filename>" + "a" * 11_000_000 + "</filename></annotation>")
    assert read_voc(path).filename == "a" * 11_000_000
