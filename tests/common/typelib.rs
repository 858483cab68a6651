//! A reader of MSFT type libraries (the `.tlb` files `widl -t` and MIDL write).
//!
//! It exists so tests can take widl's word on what an IDL file means: its
//! GUIDs, coclass member flags and DISPIDs are an oracle independent of cpgen.
//! Only what those comparisons need is decoded. The layout follows Wine's
//! `dlls/oleaut32/typelib.h` (MSFT_Header, MSFT_SegDir, MSFT_TypeInfoBase,
//! MSFT_RefRecord, MSFT_ImpInfo, MSFT_FuncRecord) and `tools/widl/write_msft.c`.
//! Every read is bounds-checked: a truncated or corrupt file is an `Err`,
//! never a panic, and no count read from the file drives an allocation.

use std::fmt;

/// A type library: its name, LIBID and type descriptions in file order.
#[derive(Debug)]
pub struct TypeLib {
    pub name: String,
    pub guid: Guid,
    pub types: Vec<TypeInfo>,
}

/// One type description (an ITypeInfo).
#[derive(Debug)]
pub struct TypeInfo {
    pub name: String,
    pub kind: TypeKind,
    /// TYPEFLAGS; `TYPEFLAG_FDUAL` (0x40) tells a dual interface's dispatch view.
    pub flags: u32,
    pub guid: Option<Guid>,
    /// For a coclass, its members in declaration order.
    pub impl_types: Vec<ImplType>,
    /// Function records; for a dual interface, only its own (not inherited) methods.
    pub funcs: Vec<Func>,
}

/// TYPEFLAG_FDUAL: widl stores a dual interface as `TKIND_DISPATCH` with this flag.
pub const TYPEFLAG_FDUAL: u32 = 0x40;

/// TYPEKIND, numbered as in oaidl.idl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    Enum,
    Record,
    Module,
    Interface,
    Dispatch,
    Coclass,
    Alias,
    Union,
}

/// A coclass member: the interface it names and its IMPLTYPEFLAGS.
#[derive(Debug)]
pub struct ImplType {
    pub target: Href,
    /// IMPLTYPEFLAGS: default = 1, source = 2, restricted = 4, defaultvtable = 8.
    pub flags: u32,
}

/// Where a referenced type lives.
#[derive(Debug, PartialEq, Eq)]
pub enum Href {
    /// Index into [`TypeLib::types`].
    Local(usize),
    /// A type of an imported library, known by its GUID when the file records it.
    Imported(Option<Guid>),
}

/// One function record.
#[derive(Debug)]
pub struct Func {
    pub name: String,
    /// The MEMBERID, i.e. the DISPID for dispatch members.
    pub memid: i32,
    pub invoke: InvokeKind,
}

/// INVOKEKIND: what `IDispatch::Invoke` flag calls the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvokeKind {
    Func,
    PropGet,
    PropPut,
    PropPutRef,
}

/// A GUID, printed in lowercase registry form without braces.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Guid(pub [u8; 16]);

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        // Data1..Data3 are stored little-endian, Data4 as bytes.
        let d1 = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let d2 = u16::from_le_bytes([b[4], b[5]]);
        let d3 = u16::from_le_bytes([b[6], b[7]]);
        write!(f, "{d1:08x}-{d2:04x}-{d3:04x}-{:02x}{:02x}-", b[8], b[9])?;
        b[10..].iter().try_for_each(|x| write!(f, "{x:02x}"))
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

const MAGIC: u32 = 0x5446_534d; // "MSFT"
const HEADER_LEN: usize = 0x54;
const SEGMENTS: usize = 15;
const TYPEINFO_LEN: usize = 0x64;
const HELPDLL_FLAG: u32 = 0x100;
const IMPINFO_OFFSET_IS_GUID: u32 = 0x1_0000;

/// Indices into the segment directory (MSFT_SegDir's field order).
#[derive(Clone, Copy)]
enum Seg {
    TypeInfo = 0,
    ImpInfo = 1,
    Refs = 3,
    Guid = 5,
    Name = 7,
}

/// Parses an MSFT type library.
pub fn parse(data: &[u8]) -> Result<TypeLib, String> {
    let file = File { data };
    if file.u32(0)? != MAGIC {
        return Err("not an MSFT type library (bad magic)".into());
    }
    let lib_guid = file.i32(0x08)?;
    let varflags = file.u32(0x14)?;
    let count = file.count(0x20)?;
    let lib_name = file.i32(0x38)?;
    let helpdll = if varflags & HELPDLL_FLAG != 0 { 4 } else { 0 };
    let segdir = HEADER_LEN + helpdll + count * 4;
    let mut segs = [(0usize, 0usize); SEGMENTS];
    for (i, seg) in segs.iter_mut().enumerate() {
        *seg = file.segment(segdir + i * 16)?;
    }
    let lib = Lib { file, segs };
    let (ti_offset, ti_len) = segs[Seg::TypeInfo as usize];
    if count.checked_mul(TYPEINFO_LEN).is_none_or(|n| n > ti_len) {
        return Err(format!("{count} typeinfos do not fit the typeinfo segment"));
    }
    let types = (0..count)
        .map(|i| lib.type_info(ti_offset + i * TYPEINFO_LEN, count))
        .collect::<Result<_, _>>()?;
    Ok(TypeLib {
        name: lib.name(lib_name)?,
        guid: lib.guid(lib_guid)?.ok_or("the library has no LIBID")?,
        types,
    })
}

/// The raw bytes, read little-endian with bounds checks.
struct File<'a> {
    data: &'a [u8],
}

impl File<'_> {
    fn bytes(&self, at: usize, len: usize) -> Result<&[u8], String> {
        at.checked_add(len)
            .and_then(|end| self.data.get(at..end))
            .ok_or_else(|| {
                format!(
                    "truncated: {len} bytes at {at:#x} past the end ({:#x})",
                    self.data.len()
                )
            })
    }

    fn u32(&self, at: usize) -> Result<u32, String> {
        let b = self.bytes(at, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i32(&self, at: usize) -> Result<i32, String> {
        Ok(self.u32(at)? as i32)
    }

    fn u16(&self, at: usize) -> Result<u16, String> {
        let b = self.bytes(at, 2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    /// A non-negative count or offset field.
    fn count(&self, at: usize) -> Result<usize, String> {
        let v = self.i32(at)?;
        usize::try_from(v).map_err(|_| format!("negative value {v} at {at:#x}"))
    }

    /// An MSFT_pSeg entry: (offset, length), checked to lie inside the file.
    fn segment(&self, at: usize) -> Result<(usize, usize), String> {
        let (offset, len) = (self.i32(at)?, self.count(at + 4)?);
        if offset == -1 && len == 0 {
            return Ok((0, 0));
        }
        let offset = usize::try_from(offset).map_err(|_| format!("bad segment offset {offset}"))?;
        self.bytes(offset, len)?;
        Ok((offset, len))
    }
}

/// The file plus its segment directory.
struct Lib<'a> {
    file: File<'a>,
    segs: [(usize, usize); SEGMENTS],
}

impl Lib<'_> {
    /// The absolute position of `len` bytes at `offset` inside segment `seg`.
    fn in_seg(&self, seg: Seg, offset: i32, len: usize) -> Result<usize, String> {
        let (start, seg_len) = self.segs[seg as usize];
        usize::try_from(offset)
            .ok()
            .filter(|&o| o.checked_add(len).is_some_and(|end| end <= seg_len))
            .map(|o| start + o)
            .ok_or_else(|| format!("offset {offset} outside segment {}", seg as usize))
    }

    /// A name-table entry (MSFT_NameIntro, then `namelen & 0xff` bytes).
    fn name(&self, offset: i32) -> Result<String, String> {
        let at = self.in_seg(Seg::Name, offset, 12)?;
        let len = (self.file.u32(at + 8)? & 0xff) as usize;
        let at = self.in_seg(Seg::Name, offset, 12 + len)?;
        Ok(String::from_utf8_lossy(self.file.bytes(at + 12, len)?).into_owned())
    }

    /// A GUID-table entry; offset -1 means none.
    fn guid(&self, offset: i32) -> Result<Option<Guid>, String> {
        if offset == -1 {
            return Ok(None);
        }
        let at = self.in_seg(Seg::Guid, offset, 16)?;
        let mut guid = [0; 16];
        guid.copy_from_slice(self.file.bytes(at, 16)?);
        Ok(Some(Guid(guid)))
    }

    /// An MSFT_TypeInfoBase record at absolute position `at`.
    fn type_info(&self, at: usize, count: usize) -> Result<TypeInfo, String> {
        let f = &self.file;
        let kind = match f.u32(at)? & 0xf {
            0 => TypeKind::Enum,
            1 => TypeKind::Record,
            2 => TypeKind::Module,
            3 => TypeKind::Interface,
            4 => TypeKind::Dispatch,
            5 => TypeKind::Coclass,
            6 => TypeKind::Alias,
            7 => TypeKind::Union,
            k => return Err(format!("unknown TYPEKIND {k}")),
        };
        let elements = f.u32(at + 0x18)?;
        let impl_types = if kind == TypeKind::Coclass {
            self.impl_types(usize::from(f.u16(at + 0x4c)?), f.i32(at + 0x54)?, count)?
        } else {
            Vec::new()
        };
        let funcs = (elements & 0xffff) as usize;
        let vars = (elements >> 16) as usize;
        Ok(TypeInfo {
            name: self.name(f.i32(at + 0x34)?)?,
            kind,
            flags: f.u32(at + 0x30)?,
            guid: self.guid(f.i32(at + 0x2c)?)?,
            impl_types,
            funcs: if funcs == 0 {
                Vec::new()
            } else {
                self.funcs(f.count(at + 0x04)?, funcs, vars)?
            },
        })
    }

    /// The linked list of MSFT_RefRecords starting at `offset` in the reference table.
    fn impl_types(&self, n: usize, mut offset: i32, count: usize) -> Result<Vec<ImplType>, String> {
        let mut out = Vec::new();
        for _ in 0..n {
            let at = self.in_seg(Seg::Refs, offset, 16)?;
            let href = self.file.i32(at)?;
            out.push(ImplType {
                target: self.href(href, count)?,
                flags: self.file.u32(at + 4)?,
            });
            offset = self.file.i32(at + 12)?;
        }
        Ok(out)
    }

    /// Resolves an HREFTYPE: a typeinfo-table offset, or (low bits set) an MSFT_ImpInfo.
    fn href(&self, href: i32, count: usize) -> Result<Href, String> {
        if href & 3 == 0 {
            return usize::try_from(href)
                .ok()
                .filter(|h| h % TYPEINFO_LEN == 0 && h / TYPEINFO_LEN < count)
                .map(|h| Href::Local(h / TYPEINFO_LEN))
                .ok_or_else(|| format!("bad local href {href:#x}"));
        }
        let at = self.in_seg(Seg::ImpInfo, href & !3, 12)?;
        let guid = if self.file.u32(at)? & IMPINFO_OFFSET_IS_GUID != 0 {
            self.guid(self.file.i32(at + 8)?)?
        } else {
            None
        };
        Ok(Href::Imported(guid))
    }

    /// The function records at `memoffset`: a size word, the records, then the
    /// MEMBERID array and the name-offset array (functions first, then variables).
    fn funcs(&self, memoffset: usize, funcs: usize, vars: usize) -> Result<Vec<Func>, String> {
        let f = &self.file;
        let records_len = f.count(memoffset)?;
        let ids = memoffset + 4 + records_len;
        // The records, then three arrays (MEMBERIDs, names, record offsets) of one entry per member.
        f.bytes(ids, (funcs + vars) * 12)?;
        let mut record = memoffset + 4;
        let mut out = Vec::new();
        for i in 0..funcs {
            let len = (f.u32(record)? & 0xffff) as usize;
            if len < 0x18 || record + len > ids {
                return Err(format!("function record of {len} bytes at {record:#x}"));
            }
            let fkccic = f.u32(record + 0x10)?;
            let invoke = match (fkccic >> 3) & 0xf {
                1 => InvokeKind::Func,
                2 => InvokeKind::PropGet,
                4 => InvokeKind::PropPut,
                8 => InvokeKind::PropPutRef,
                k => return Err(format!("bad INVOKEKIND {k} at {record:#x}")),
            };
            out.push(Func {
                name: self.name(f.i32(ids + (funcs + vars + i) * 4)?)?,
                memid: f.i32(ids + i * 4)?,
                invoke,
            });
            record += len;
        }
        Ok(out)
    }
}
