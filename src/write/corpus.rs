//! The corpus table of a batch: one row per cell of every report read, for
//! researchers' pandas, R or DuckDB. `cells.csv` by default; `cells.parquet`
//! instead with `batch --parquet` (a national corpus is about 10⁵ reports a
//! year: 2·10⁷ rows, gigabytes as CSV, tens of megabytes as Parquet).
//!
//! Rows are written as reports finish, in input order, each report's cells
//! in its edition's order; Parquet rows are buffered up to [`ROW_GROUP`]
//! rows and written as one row group, so memory stays flat.

use crate::edition::Edition;
use crate::error::{Error, Result};
use crate::output::{create_beside, persist};
use crate::tally::{Row, Tally};
use crate::write::csv::{self as csvw, record};
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::NamedTempFile;

/// The columns, in order. English names, for pandas, R and DuckDB.
pub const COLUMNS: [&str; 11] =
    ["organ", "year", "edition", "table", "row", "column", "cell", "value", "text", "source_file", "place"];

/// Rows per Parquet row group.
pub const ROW_GROUP: usize = 16_384;

/// Which file the corpus table is written as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// `cells.csv`: UTF-8 with a byte order mark, the value as exact text.
    #[default]
    Csv,
    /// `cells.parquet`: snappy-compressed, `year` INT32, `value` DOUBLE.
    Parquet,
}

impl Format {
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Csv => "cells.csv",
            Format::Parquet => "cells.parquet",
        }
    }
}

/// One row of the table, borrowed from the report's row and tally.
struct Line<'a> {
    text: [&'a str; 11],
    year: Option<u32>,
    value: Option<String>,
}

/// Writes the corpus table as the batch goes.
pub struct CorpusWriter {
    path: PathBuf,
    sink: Sink,
}

enum Sink {
    Csv(Box<csv::Writer<BufWriter<NamedTempFile>>>),
    Parquet(Box<ParquetSink>),
}

impl CorpusWriter {
    /// Start the table in `outdir`, beside its final place.
    ///
    /// # Errors
    /// [`Error::Io`] if the folder cannot be written.
    pub fn new(outdir: &Path, format: Format) -> Result<CorpusWriter> {
        let path = outdir.join(format.file_name());
        let sink = match format {
            Format::Csv => {
                let mut w = csvw::writer(BufWriter::new(create_beside(&path)?), true, &path)?;
                record(&mut w, &COLUMNS, &path)?;
                Sink::Csv(Box::new(w))
            }
            Format::Parquet => Sink::Parquet(Box::new(ParquetSink::new(&path)?)),
        };
        Ok(CorpusWriter { path, sink })
    }

    /// One report's cells: every cell of its edition, a blank one with no
    /// value (never 0).
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written.
    pub fn report(&mut self, r: &Row, t: &Tally, ed: &Edition) -> Result<()> {
        let year = r.year.map(|y| y.to_string()).unwrap_or_default();
        for (i, c) in ed.cells.iter().enumerate() {
            let filled = t.totals.filled.get(i).copied().unwrap_or(0) > 0;
            let value = t.totals.sums.get(i).filter(|_| filled).map(ToString::to_string);
            let printed = t.printed.get(i);
            let line = Line {
                text: [
                    &r.organ,
                    &year,
                    &ed.id,
                    &c.table_name,
                    &c.row_path,
                    &c.col_path,
                    &c.id,
                    value.as_deref().unwrap_or(""),
                    printed.map_or("", |p| p.text.as_str()),
                    &r.source,
                    printed.map_or("", |p| p.place.as_str()),
                ],
                year: r.year,
                value: value.clone(),
            };
            match &mut self.sink {
                Sink::Csv(w) => record(w.as_mut(), &line.text, &self.path)?,
                Sink::Parquet(p) => p.push(&line, &self.path)?,
            }
        }
        Ok(())
    }

    /// Flush and move the table into place.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written or moved.
    pub fn finish(self) -> Result<()> {
        let tmp = match self.sink {
            Sink::Csv(w) => csvw::finish(*w, &self.path)?,
            Sink::Parquet(p) => p.finish(&self.path)?,
        };
        let tmp = tmp.into_inner().map_err(|e| Error::io(&self.path, e.into_error()))?;
        persist(tmp, &self.path, true)
    }
}

/// The Parquet file and the rows of the row group being filled.
struct ParquetSink {
    file: SerializedFileWriter<BufWriter<NamedTempFile>>,
    /// The text columns (all but `year` and `value`), by column.
    text: Vec<Vec<ByteArray>>,
    years: Vec<i32>,
    year_defined: Vec<i16>,
    values: Vec<f64>,
    value_defined: Vec<i16>,
}

fn perr(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> Error + '_ {
    move |e| match e {
        parquet::errors::ParquetError::External(inner) => Error::io(path, std::io::Error::other(inner)),
        other => Error::io(path, std::io::Error::other(other.to_string())),
    }
}

/// The table's Parquet schema: text columns required UTF-8 strings (empty
/// when unknown), `year` an optional INT32, `value` an optional DOUBLE.
fn schema() -> std::result::Result<Type, parquet::errors::ParquetError> {
    let mut fields = Vec::with_capacity(COLUMNS.len());
    for name in COLUMNS {
        let field = match name {
            "year" => Type::primitive_type_builder(name, Physical::INT32).with_repetition(Repetition::OPTIONAL),
            "value" => Type::primitive_type_builder(name, Physical::DOUBLE).with_repetition(Repetition::OPTIONAL),
            _ => Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
                .with_repetition(Repetition::REQUIRED)
                .with_logical_type(Some(LogicalType::String)),
        };
        fields.push(Arc::new(field.build()?));
    }
    Type::group_type_builder("cells").with_fields(fields).build()
}

impl ParquetSink {
    fn new(path: &Path) -> Result<ParquetSink> {
        let schema = Arc::new(schema().map_err(perr(path))?);
        let props = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_created_by(format!("xxgk {}", env!("CARGO_PKG_VERSION")))
                .build(),
        );
        let out = BufWriter::new(create_beside(path)?);
        let file = SerializedFileWriter::new(out, schema, props).map_err(perr(path))?;
        Ok(ParquetSink {
            file,
            text: vec![Vec::new(); COLUMNS.len() - 2],
            years: Vec::new(),
            year_defined: Vec::new(),
            values: Vec::new(),
            value_defined: Vec::new(),
        })
    }

    fn push(&mut self, line: &Line<'_>, path: &Path) -> Result<()> {
        let texts = line.text.iter().enumerate().filter(|(i, _)| !matches!(COLUMNS.get(*i), Some(&"year" | &"value")));
        for (col, (_, t)) in self.text.iter_mut().zip(texts) {
            col.push(ByteArray::from(*t));
        }
        self.year_defined.push(i16::from(line.year.is_some()));
        if let Some(y) = line.year {
            self.years.push(i32::try_from(y).unwrap_or(i32::MAX));
        }
        // A value the model holds exactly as a decimal; as a double it is
        // exact for every count and for amounts to four decimals (the
        // exact text is in `text` and in the CSV).
        let value = line.value.as_deref().and_then(|v| v.parse::<f64>().ok());
        self.value_defined.push(i16::from(value.is_some()));
        if let Some(v) = value {
            self.values.push(v);
        }
        if self.year_defined.len() >= ROW_GROUP {
            self.row_group(path)?;
        }
        Ok(())
    }

    /// Write the buffered rows as one row group.
    fn row_group(&mut self, path: &Path) -> Result<()> {
        if self.year_defined.is_empty() {
            return Ok(());
        }
        let e = perr(path);
        let mut group = self.file.next_row_group().map_err(&e)?;
        let mut text = self.text.iter();
        for name in COLUMNS {
            let Some(mut col) = group.next_column().map_err(&e)? else { break };
            match name {
                "year" => {
                    col.typed::<Int32Type>().write_batch(&self.years, Some(&self.year_defined), None).map_err(&e)?;
                }
                "value" => {
                    col.typed::<DoubleType>().write_batch(&self.values, Some(&self.value_defined), None).map_err(&e)?;
                }
                _ => {
                    let values = text.next().map(Vec::as_slice).unwrap_or_default();
                    col.typed::<ByteArrayType>().write_batch(values, None, None).map_err(&e)?;
                }
            }
            col.close().map_err(&e)?;
        }
        group.close().map_err(&e)?;
        for c in &mut self.text {
            c.clear();
        }
        self.years.clear();
        self.year_defined.clear();
        self.values.clear();
        self.value_defined.clear();
        Ok(())
    }

    fn finish(mut self, path: &Path) -> Result<BufWriter<NamedTempFile>> {
        self.row_group(path)?;
        self.file.into_inner().map_err(perr(path))
    }
}
