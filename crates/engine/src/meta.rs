//! The snapshot header (`snapshot.meta`): every field offset and type number is looked up by
//! name here, never hard-coded, because the lists changed across V8 versions (spec §1.3, §1.4).

use crate::error::{Error, ErrorKind, Result};
use serde_json::Value;

/// A type number that is absent from the snapshot's type list (matches nothing).
pub const NO_TYPE: u8 = u8::MAX;

/// The stored type of a node or edge whose type number is past the snapshot's type list.
/// DevTools reads such a type as `undefined`: it matches no type it looks up by name, and its
/// class name is `(undefined)` (spec §3.1). Type lists are limited to [`MAX_TYPES`] names so
/// that this code (and [`NO_TYPE`]) never collides with a listed type.
pub const UNKNOWN_TYPE: u8 = u8::MAX - 1;

/// The most type names a `node_types` / `edge_types` list may have (V8 writes 16 and 7).
pub const MAX_TYPES: usize = UNKNOWN_TYPE as usize - 1;

/// Node type numbers resolved by name; [`NO_TYPE`] where the snapshot's list lacks the name.
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct NodeTypes {
    pub hidden: u8,
    pub array: u8,
    pub string: u8,
    pub object: u8,
    pub code: u8,
    pub closure: u8,
    pub regexp: u8,
    pub number: u8,
    pub native: u8,
    pub synthetic: u8,
    pub cons_string: u8,
    pub sliced_string: u8,
}

/// Edge type numbers resolved by name; [`NO_TYPE`] where the snapshot's list lacks the name.
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct EdgeTypes {
    pub context: u8,
    pub element: u8,
    pub property: u8,
    pub internal: u8,
    pub hidden: u8,
    pub shortcut: u8,
    pub weak: u8,
    /// `invisible`: no V8 writes it, but DevTools appends it to its copy of the list, so the
    /// type number one past the snapshot's list is `invisible` (its DOM-state walk skips it).
    pub invisible: u8,
}

/// Layout of the `nodes`, `edges` and `locations` arrays, from `snapshot.meta`.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Number of integers per node record.
    pub node_field_count: usize,
    /// Offset of each known field within a node record (`None` if absent).
    pub node_type_offset: usize,
    /// Offset of `name`.
    pub node_name_offset: usize,
    /// Offset of `id`.
    pub node_id_offset: usize,
    /// Offset of `self_size`.
    pub node_self_size_offset: usize,
    /// Offset of `edge_count`.
    pub node_edge_count_offset: usize,
    /// Offset of `trace_node_id`, if present.
    pub node_trace_node_id_offset: Option<usize>,
    /// Offset of `detachedness`, if present (V8 ≥ 2021).
    pub node_detachedness_offset: Option<usize>,
    /// Node type names, indexed by the `type` field's value.
    pub node_type_names: Vec<String>,
    /// Number of integers per edge record.
    pub edge_field_count: usize,
    /// Offset of `type` within an edge record.
    pub edge_type_offset: usize,
    /// Offset of `name_or_index`.
    pub edge_name_offset: usize,
    /// Offset of `to_node`.
    pub edge_to_node_offset: usize,
    /// Edge type names, indexed by the `type` field's value.
    pub edge_type_names: Vec<String>,
    /// Number of integers per location record (0 if the snapshot has no `location_fields`).
    pub location_field_count: usize,
    /// Offsets of `object_index`, `script_id`, `line`, `column` in a location record.
    pub location_offsets: Option<[usize; 4]>,
    /// Number of integers per `trace_function_infos` record (0 if absent).
    pub trace_function_info_field_count: usize,
    /// Number of integers per `samples` record (0 if absent).
    pub sample_field_count: usize,
    /// Node types by name.
    pub node_types: NodeTypes,
    /// Edge types by name.
    pub edge_types: EdgeTypes,
}

/// The parsed `snapshot` header object.
#[derive(Debug, Clone)]
pub struct Header {
    /// The layout.
    pub meta: Meta,
    /// `node_count` as written in the header.
    pub node_count: u64,
    /// `edge_count` as written in the header.
    pub edge_count: u64,
    /// `trace_function_count` (0 unless allocation tracking was on).
    pub trace_function_count: u64,
    /// `extra_native_bytes` (newer V8 only; 0 if absent).
    pub extra_native_bytes: u64,
    /// `root_index` (a node index, not an ordinal), if present and non-zero.
    pub root_index: Option<u64>,
}

fn field_list(meta: &Value, key: &str, offset: u64) -> Result<Option<Vec<String>>> {
    match meta.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    Error::at(
                        ErrorKind::UnsupportedVersion,
                        offset,
                        format!("snapshot.meta.{key} must list strings"),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(_) => Err(Error::at(
            ErrorKind::UnsupportedVersion,
            offset,
            format!("snapshot.meta.{key} is not an array"),
        )),
    }
}

fn required(list: &[String], name: &str, what: &str, offset: u64) -> Result<usize> {
    list.iter().position(|f| f == name).ok_or_else(|| {
        Error::at(
            ErrorKind::UnsupportedVersion,
            offset,
            format!(
                "snapshot.meta.{what} has no \"{name}\" field (fields: {})",
                list.join(", ")
            ),
        )
    })
}

fn type_names(meta: &Value, key: &str, index: usize, offset: u64) -> Result<Vec<String>> {
    let list = meta
        .get(key)
        .and_then(|t| t.get(index))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Error::at(
                ErrorKind::UnsupportedVersion,
                offset,
                format!("snapshot.meta.{key}[{index}] is not a list of type names"),
            )
        })?;
    if list.len() > MAX_TYPES {
        return Err(Error::at(
            ErrorKind::UnsupportedVersion,
            offset,
            format!("snapshot.meta.{key} lists more than {MAX_TYPES} types"),
        ));
    }
    list.iter()
        .map(|v| {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                Error::at(
                    ErrorKind::UnsupportedVersion,
                    offset,
                    format!("snapshot.meta.{key} has a non-string type name"),
                )
            })
        })
        .collect()
}

fn type_number(names: &[String], name: &str) -> u8 {
    names
        .iter()
        .position(|n| n == name)
        .map_or(NO_TYPE, |p| p as u8)
}

fn number(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

impl Header {
    /// Reads the header from the JSON text of the `snapshot` object, which started at byte `offset`.
    pub fn from_json(text: &[u8], offset: u64) -> Result<Header> {
        let v: Value = serde_json::from_slice(text).map_err(|e| {
            Error::at(
                ErrorKind::NotJson,
                offset,
                format!("the snapshot header is not valid JSON: {e}"),
            )
        })?;
        let meta_v = v.get("meta").filter(|m| m.is_object()).ok_or_else(|| {
            Error::at(
                ErrorKind::NotASnapshot,
                offset,
                "the snapshot header has no \"meta\" object",
            )
        })?;
        let nf = field_list(meta_v, "node_fields", offset)?.ok_or_else(|| {
            Error::at(
                ErrorKind::UnsupportedVersion,
                offset,
                "snapshot.meta has no node_fields",
            )
        })?;
        let ef = field_list(meta_v, "edge_fields", offset)?.ok_or_else(|| {
            Error::at(
                ErrorKind::UnsupportedVersion,
                offset,
                "snapshot.meta has no edge_fields",
            )
        })?;
        let node_type_offset = required(&nf, "type", "node_fields", offset)?;
        let edge_type_offset = required(&ef, "type", "edge_fields", offset)?;
        let node_type_names = type_names(meta_v, "node_types", node_type_offset, offset)?;
        let edge_type_names = type_names(meta_v, "edge_types", edge_type_offset, offset)?;
        let lf = field_list(meta_v, "location_fields", offset)?;
        let location_offsets = match &lf {
            Some(l) => Some([
                required(l, "object_index", "location_fields", offset)?,
                required(l, "script_id", "location_fields", offset)?,
                required(l, "line", "location_fields", offset)?,
                required(l, "column", "location_fields", offset)?,
            ]),
            None => None,
        };
        let nt = |n| type_number(&node_type_names, n);
        let et = |n| type_number(&edge_type_names, n);
        let meta = Meta {
            node_field_count: nf.len(),
            node_type_offset,
            node_name_offset: required(&nf, "name", "node_fields", offset)?,
            node_id_offset: required(&nf, "id", "node_fields", offset)?,
            node_self_size_offset: required(&nf, "self_size", "node_fields", offset)?,
            node_edge_count_offset: required(&nf, "edge_count", "node_fields", offset)?,
            node_trace_node_id_offset: nf.iter().position(|f| f == "trace_node_id"),
            node_detachedness_offset: nf.iter().position(|f| f == "detachedness"),
            edge_field_count: ef.len(),
            edge_type_offset,
            edge_name_offset: required(&ef, "name_or_index", "edge_fields", offset)?,
            edge_to_node_offset: required(&ef, "to_node", "edge_fields", offset)?,
            location_field_count: lf.as_ref().map_or(0, Vec::len),
            location_offsets,
            trace_function_info_field_count: field_list(
                meta_v,
                "trace_function_info_fields",
                offset,
            )?
            .map_or(0, |l| l.len()),
            sample_field_count: field_list(meta_v, "sample_fields", offset)?.map_or(0, |l| l.len()),
            node_types: NodeTypes {
                hidden: nt("hidden"),
                array: nt("array"),
                string: nt("string"),
                object: nt("object"),
                code: nt("code"),
                closure: nt("closure"),
                regexp: nt("regexp"),
                number: nt("number"),
                native: nt("native"),
                synthetic: nt("synthetic"),
                cons_string: nt("concatenated string"),
                sliced_string: nt("sliced string"),
            },
            edge_types: EdgeTypes {
                context: et("context"),
                element: et("element"),
                property: et("property"),
                internal: et("internal"),
                hidden: et("hidden"),
                shortcut: et("shortcut"),
                weak: et("weak"),
                // DevTools pushes "invisible" onto its copy of the list, then looks it up.
                invisible: match et("invisible") {
                    NO_TYPE => edge_type_names.len() as u8,
                    t => t,
                },
            },
            node_type_names,
            edge_type_names,
        };
        Ok(Header {
            meta,
            node_count: number(&v, "node_count"),
            edge_count: number(&v, "edge_count"),
            trace_function_count: number(&v, "trace_function_count"),
            extra_native_bytes: number(&v, "extra_native_bytes"),
            root_index: v
                .get("root_index")
                .and_then(Value::as_u64)
                .filter(|&r| r != 0),
        })
    }
}

impl Meta {
    /// The stored type of a node whose `type` field is `t` (reduced modulo 2^32, as DevTools
    /// stores it): `t` itself, or [`UNKNOWN_TYPE`] past the snapshot's list.
    #[inline]
    pub fn node_type_code(&self, t: u32) -> u8 {
        if (t as usize) < self.node_type_names.len() {
            t as u8
        } else {
            UNKNOWN_TYPE
        }
    }

    /// The stored type of an edge whose `type` field is `t`: `t` itself, the number one past
    /// the list (DevTools' own `invisible`), or [`UNKNOWN_TYPE`] further on.
    #[inline]
    pub fn edge_type_code(&self, t: u32) -> u8 {
        if (t as usize) <= self.edge_type_names.len() {
            t as u8
        } else {
            UNKNOWN_TYPE
        }
    }

    /// Name of node type `t`: `undefined` past the list, as DevTools reads it.
    pub fn node_type_name(&self, t: u8) -> &str {
        self.node_type_names
            .get(t as usize)
            .map_or("undefined", String::as_str)
    }

    /// Name of edge type `t`: `invisible` one past the list (DevTools' own type), `undefined`
    /// further on.
    pub fn edge_type_name(&self, t: u8) -> &str {
        match self.edge_type_names.get(t as usize) {
            Some(name) => name,
            None if t as usize == self.edge_type_names.len() => "invisible",
            None => "undefined",
        }
    }

    /// True for edge types whose `name_or_index` is a number rather than a string index.
    pub fn edge_has_index_name(&self, t: u8) -> bool {
        t == self.edge_types.element || t == self.edge_types.hidden
    }
}
