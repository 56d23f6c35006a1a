//! The build stamp: which commit and output a PDF was built from, in
//! kooste's own XMP properties (`kooste:commit`, `kooste:output`,
//! `kooste:dirty`), so that the document's Keywords stay the report's
//! keywords. `kooste review` reads it back.
//!
//! typst-pdf writes the XMP packet; kooste adds its properties to it after
//! the export, in the bytes: the packet grows, its stream's `/Length` and
//! the cross-reference offsets after it move by as much. In a PDF/A file
//! the properties are declared in the packet's PDF/A extension schemas, as
//! ISO 19005 asks of any property outside the standard schemas.

/// kooste's XMP namespace. A URN: kooste owns no web address.
pub const NAMESPACE: &str = "urn:x-kooste:ns:build:1/";

/// What a PDF's metadata says about how it was built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Stamp {
    /// The full commit hash (empty outside a git checkout).
    pub commit: String,
    /// The output's name (`report`, `brief`, `cases/alfa`).
    pub output: String,
    /// Built from a working tree with uncommitted changes.
    pub dirty: bool,
}

/// The properties, as one `rdf:Description` of the packet.
fn description(stamp: &Stamp) -> String {
    let mut s = format!(r#"<rdf:Description rdf:about="" xmlns:kooste="{NAMESPACE}">"#);
    if !stamp.commit.is_empty() {
        s.push_str(&format!("<kooste:commit>{}</kooste:commit>", escape(&stamp.commit)));
    }
    s.push_str(&format!("<kooste:output>{}</kooste:output>", escape(&stamp.output)));
    s.push_str(&format!("<kooste:dirty>{}</kooste:dirty>", if stamp.dirty { "True" } else { "False" }));
    s.push_str("</rdf:Description>");
    s
}

/// The PDF/A extension schema that declares the properties.
fn schema() -> String {
    let property = |name: &str, kind: &str, what: &str| {
        format!(
            r#"<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>{kind}</pdfaProperty:valueType><pdfaProperty:category>internal</pdfaProperty:category><pdfaProperty:description>{what}</pdfaProperty:description></rdf:li>"#
        )
    };
    format!(
        r#"<rdf:li rdf:parseType="Resource"><pdfaSchema:schema>kooste build stamp</pdfaSchema:schema><pdfaSchema:namespaceURI>{NAMESPACE}</pdfaSchema:namespaceURI><pdfaSchema:prefix>kooste</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>{}{}{}</rdf:Seq></pdfaSchema:property></rdf:li>"#,
        property("commit", "Text", "The commit of the sources the document was built from"),
        property("output", "Text", "The name of the output the document is"),
        property("dirty", "Boolean", "Whether the sources had uncommitted changes"),
    )
}

/// Adds the stamp to the XMP packet of `pdf`, a PDF as typst-pdf writes
/// it (one classic cross-reference table). The error says what was not
/// found; `pdf` is then unchanged.
pub fn write(pdf: &mut Vec<u8>, stamp: &Stamp) -> Result<(), String> {
    // The document's metadata stream (typst-pdf writes it near the end),
    // not the first XMP packet: a JPEG's own packet is in its image stream.
    let meta = rfind(pdf, b"/Type/Metadata").ok_or("the PDF has no XMP metadata stream")?;
    let dict = rfind(&pdf[..meta], b"<<").ok_or("the XMP stream has no dictionary")?;
    let stream_start = find(pdf, b"stream", meta).ok_or("the XMP metadata is not a stream")?;
    let length_at = find(&pdf[..stream_start], b"/Length ", dict).ok_or("the XMP stream has no /Length")? + 8;
    let length_end = length_at + pdf[length_at..].iter().take_while(|b| b.is_ascii_digit()).count();
    let old_length: usize = std::str::from_utf8(&pdf[length_at..length_end])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or("the XMP stream's /Length is not a number")?;
    let data_start = stream_start + 6 + if pdf[stream_start + 6] == b'\r' { 2 } else { 1 };
    let data = std::str::from_utf8(&pdf[data_start..data_start + old_length]).map_err(|_| "the XMP is not UTF-8")?;
    let rdf_end = data.rfind("</rdf:RDF>").ok_or("the XMP has no rdf:RDF")?;
    let mut packet = String::with_capacity(data.len() + 1500);
    let schemas = data.find("<pdfaExtension:schemas><rdf:Bag>").map(|at| at + 32).filter(|&at| at < rdf_end);
    match schemas {
        Some(at) => {
            packet.push_str(&data[..at]);
            packet.push_str(&schema());
            packet.push_str(&data[at..rdf_end]);
        }
        None => packet.push_str(&data[..rdf_end]),
    }
    packet.push_str(&description(stamp));
    packet.push_str(&data[rdf_end..]);

    let xref = startxref(pdf).ok_or("the PDF has no startxref")?;
    if !pdf[xref..].starts_with(b"xref") {
        return Err("the PDF's cross-references are not a classic table".into());
    }
    let new_length = packet.len().to_string();
    let delta = (new_length.len() + packet.len()) as i64 - ((length_end - length_at) + old_length) as i64;
    let mut out = Vec::with_capacity(pdf.len() + delta.max(0) as usize);
    out.extend_from_slice(&pdf[..length_at]);
    out.extend_from_slice(new_length.as_bytes());
    out.extend_from_slice(&pdf[length_end..data_start]);
    out.extend_from_slice(packet.as_bytes());
    let tail_start = data_start + old_length;
    let xref_in_out = (xref as i64 + delta) as usize;
    out.extend_from_slice(&pdf[tail_start..]);
    shift_xref(&mut out, xref_in_out, length_at, delta)?;
    *pdf = out;
    Ok(())
}

/// Moves every offset in the table at `xref` that lies after `after` by
/// `delta`, and the `startxref` value with the table.
fn shift_xref(pdf: &mut Vec<u8>, xref: usize, after: usize, delta: i64) -> Result<(), String> {
    let mut at = xref + 4;
    let skip_eol = |pdf: &[u8], mut at: usize| {
        while at < pdf.len() && matches!(pdf[at], b'\r' | b'\n' | b' ') {
            at += 1;
        }
        at
    };
    at = skip_eol(pdf, at);
    while !pdf[at..].starts_with(b"trailer") {
        let line_end = find(pdf, b"\n", at).ok_or("the cross-reference table ends early")?;
        let header = std::str::from_utf8(&pdf[at..line_end]).map_err(|_| "a bad cross-reference header")?;
        let count: usize = header
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("a bad cross-reference header {header:?}"))?;
        at = line_end + 1;
        for _ in 0..count {
            let entry = pdf.get(at..at + 20).ok_or("the cross-reference table ends early")?;
            if entry[17] == b'n' {
                let offset: i64 = std::str::from_utf8(&entry[..10])
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or("a bad cross-reference entry")?;
                if offset as usize > after {
                    pdf[at..at + 10].copy_from_slice(format!("{:010}", offset + delta).as_bytes());
                }
            }
            at += 20;
        }
        at = skip_eol(pdf, at);
    }
    let key = rfind(pdf, b"startxref").ok_or("the PDF has no startxref")? + 9;
    let start = skip_eol(pdf, key);
    let end = start + pdf[start..].iter().take_while(|b| b.is_ascii_digit()).count();
    pdf.splice(start..end, xref.to_string().into_bytes());
    Ok(())
}

/// The offset `startxref` names.
fn startxref(pdf: &[u8]) -> Option<usize> {
    let at = rfind(pdf, b"startxref")? + 9;
    let digits: String = pdf[at..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    digits.parse().ok()
}

/// The stamp in an XMP packet, if it has one.
pub fn read(xmp: &str) -> Option<Stamp> {
    let value = |name: &str| {
        let open = format!("<kooste:{name}>");
        let at = xmp.find(&open)? + open.len();
        let end = xmp[at..].find("</kooste:")? + at;
        Some(unescape(&xmp[at..end]))
    };
    let output = value("output")?;
    Some(Stamp {
        commit: value("commit").unwrap_or_default(),
        output,
        dirty: value("dirty").as_deref() == Some("True"),
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal PDF with an XMP stream and a classic table, offsets right.
    fn pdf(with_schemas: bool) -> Vec<u8> {
        pdf_with(with_schemas, b"")
    }

    /// The same, with `extra` bytes (an object the table does not list)
    /// right after the header.
    fn pdf_with(with_schemas: bool, extra: &[u8]) -> Vec<u8> {
        let xmp = if with_schemas {
            r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""><pdfaExtension:schemas><rdf:Bag></rdf:Bag></pdfaExtension:schemas></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>"#
        } else {
            r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""/></rdf:RDF></x:xmpmeta><?xpacket end="r"?>"#
        };
        let mut out = b"%PDF-1.7\n".to_vec();
        out.extend_from_slice(extra);
        let mut offsets = Vec::new();
        offsets.push(out.len());
        out.extend_from_slice(b"1 0 obj\n<</Type/Catalog/Metadata 2 0 R>>\nendobj\n");
        offsets.push(out.len());
        out.extend_from_slice(
            format!("2 0 obj\n<</Length {}/Type/Metadata/Subtype/XML>>\nstream\n", xmp.len()).as_bytes(),
        );
        out.extend_from_slice(xmp.as_bytes());
        out.extend_from_slice(b"\nendstream\nendobj\n");
        offsets.push(out.len());
        out.extend_from_slice(b"3 0 obj\n<</Title(t)>>\nendobj\n");
        let xref = out.len();
        out.extend_from_slice(b"xref\n0 4\n0000000000 65535 f\r\n");
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<</Size 4/Root 1 0 R/Info 3 0 R>>\nstartxref\n{xref}\n%%EOF").as_bytes(),
        );
        out
    }

    /// Each table entry points at its object, and startxref at the table.
    fn assert_offsets_right(pdf: &[u8]) {
        let xref = startxref(pdf).unwrap();
        assert!(pdf[xref..].starts_with(b"xref"));
        let table = std::str::from_utf8(&pdf[xref..]).unwrap();
        for (n, line) in table.lines().skip(3).take(3).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(pdf[offset..].starts_with(format!("{} 0 obj", n + 1).as_bytes()), "entry {}", n + 1);
        }
    }

    #[test]
    fn the_stamp_is_written_and_read_back() {
        for with_schemas in [true, false] {
            let mut bytes = pdf(with_schemas);
            let stamp = Stamp { commit: "0123abcd".into(), output: "cases/a&b".into(), dirty: true };
            write(&mut bytes, &stamp).unwrap();
            assert_offsets_right(&bytes);
            let text = String::from_utf8_lossy(&bytes);
            assert_eq!(read(&text), Some(stamp));
            assert_eq!(text.contains("<pdfaSchema:prefix>kooste</pdfaSchema:prefix>"), with_schemas);
            // The stream's /Length is the packet's.
            let lopdf = lopdf::Document::load_mem(&bytes).unwrap();
            let meta = lopdf.get_object((2, 0)).unwrap().as_stream().unwrap();
            assert!(String::from_utf8_lossy(&meta.content).ends_with(r#"<?xpacket end="r"?>"#));
        }
    }

    #[test]
    fn a_clean_build_outside_git_is_stamped_too() {
        let mut bytes = pdf(true);
        write(&mut bytes, &Stamp { commit: String::new(), output: "report".into(), dirty: false }).unwrap();
        let stamp = read(&String::from_utf8_lossy(&bytes)).unwrap();
        assert_eq!((stamp.commit.as_str(), stamp.output.as_str(), stamp.dirty), ("", "report", false));
    }

    #[test]
    fn an_images_own_xmp_packet_is_left_alone() {
        // A JPEG carries its XMP packet in its image stream, before the
        // document's metadata.
        let image = b"4 0 obj\n<</Length 60/Subtype/Image>>\nstream\n<?xpacket begin=\"\"?><x:xmpmeta></x:xmpmeta><?xpacket end=\"r\"?>\nendstream\nendobj\n";
        let mut bytes = pdf_with(true, image);
        write(&mut bytes, &Stamp { commit: "ab".into(), output: "report".into(), dirty: false }).unwrap();
        assert_eq!(&bytes[9..9 + image.len()], &image[..]);
        assert_offsets_right(&bytes);
        assert!(read(&String::from_utf8_lossy(&bytes)).is_some());
    }

    #[test]
    fn a_pdf_without_xmp_is_left_alone() {
        let mut bytes = b"%PDF-1.7\ntrailer\n%%EOF".to_vec();
        let before = bytes.clone();
        assert!(write(&mut bytes, &Stamp { commit: "ab".into(), output: "report".into(), dirty: false }).is_err());
        assert_eq!(bytes, before);
    }
}
