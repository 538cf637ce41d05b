//! JavaScript arguments into Rust values, rather than by the generated glue, so that a wrong
//! argument is an `InvalidInputError` like every other phasekit error, and never echoes a value.

use napi::bindgen_prelude::{
    Env, FromNapiValue, JsObjectValue, JsValue, Object, Result, ToNapiValue, Unknown, ValueType,
};

use crate::errors;

/// Converts a JavaScript options object, reporting a wrong shape or an unknown field as an
/// `InvalidInputError` that names the argument and the field (never its value: napi's own
/// messages quote it). Unknown fields are refused because a misspelt filter (`tags` for `tag`)
/// would otherwise silently widen what is read or written.
pub fn parse<T>(env: &Env, value: Unknown, what: &str) -> Result<T>
where
    T: FromNapiValue + ToNapiValue + Clone,
{
    // Checked first: converting `undefined` would leave a pending JavaScript exception.
    if value.get_type()? != ValueType::Object {
        return Err(errors::invalid(env, format!("{what}: expected an object")));
    }
    // SAFETY: `value` is a live handle of this call's scope in `env`.
    let parsed = match unsafe { T::from_napi_value(env.raw(), value.raw()) } {
        Ok(parsed) => parsed,
        Err(failure) => {
            let mut message = format!("{what}: {}", describe(&failure.reason));
            // `{ enviroment: "x" }` lacks `env` because a field was misspelt: say which.
            if missing_field(&failure.reason).is_some() {
                if let Some(field) = unknown_beside_missing::<T>(env, value, &failure.reason)? {
                    message.push_str(&format!(" (unknown field {field})"));
                }
            }
            return Err(errors::invalid(env, message));
        }
    };
    if let Some(field) = first_unknown_field(value, understood(env, &parsed)?)? {
        return Err(errors::invalid(
            env,
            format!("{what}: unknown field {field}"),
        ));
    }
    Ok(parsed)
}

/// The parsed value written back: it holds exactly the fields that were understood.
fn understood<T: ToNapiValue + Clone>(env: &Env, parsed: &T) -> Result<Unknown<'static>> {
    // SAFETY: the new value belongs to this call's scope in `env`.
    unsafe {
        let raw = T::to_napi_value(env.raw(), parsed.clone())?;
        Unknown::from_napi_value(env.raw(), raw)
    }
}

/// "Missing field `env`" -> `env`.
fn missing_field(reason: &str) -> Option<&str> {
    reason
        .strip_prefix("Missing field `")
        .and_then(|rest| rest.split('`').next())
}

/// When required fields are missing, the first unknown field of `value`: found by parsing a
/// copy in which each missing field is an empty string (the required fields of the options are
/// strings), which then tells the understood fields apart. `None` when the copy does not
/// parse either.
fn unknown_beside_missing<T>(env: &Env, value: Unknown, reason: &str) -> Result<Option<String>>
where
    T: FromNapiValue + ToNapiValue + Clone,
{
    let given = value.coerce_to_object()?;
    let mut copy = Object::new(env)?;
    let names = given.get_property_names()?;
    for index in 0..names.get_array_length()? {
        let name: String = names.get_element(index)?;
        copy.set_named_property(&name, given.get_named_property::<Unknown>(&name)?)?;
    }
    let mut reason = reason.to_owned();
    // Each pass fills one more missing field; an options object has only a few.
    for _ in 0..8 {
        let Some(field) = missing_field(&reason) else {
            return Ok(None);
        };
        copy.set_named_property(field, "")?;
        // SAFETY: `copy` is a live object of this call's scope.
        match unsafe { T::from_napi_value(env.raw(), copy.raw()) } {
            Ok(parsed) => {
                let copy = copy.to_unknown();
                return first_unknown_field(copy, understood(env, &parsed)?);
            }
            Err(failure) => reason = failure.reason.clone(),
        }
    }
    Ok(None)
}

/// The path of the first field of `given` (set to anything but `undefined` or `null`) that
/// `understood` lacks, looking into nested objects and arrays.
fn first_unknown_field(given: Unknown, understood: Unknown) -> Result<Option<String>> {
    if given.get_type()? != ValueType::Object || understood.get_type()? != ValueType::Object {
        return Ok(None);
    }
    let (given, understood) = (given.coerce_to_object()?, understood.coerce_to_object()?);
    if given.is_array()? && understood.is_array()? {
        for index in 0..given.get_array_length()? {
            let inner = (given.get_element(index)?, understood.get_element(index)?);
            if let Some(field) = first_unknown_field(inner.0, inner.1)? {
                return Ok(Some(format!("[{index}].{field}")));
            }
        }
        return Ok(None);
    }
    let names = given.get_property_names()?;
    for index in 0..names.get_array_length()? {
        let name: String = names.get_element(index)?;
        let value: Unknown = given.get_named_property(&name)?;
        if matches!(value.get_type()?, ValueType::Undefined | ValueType::Null) {
            continue;
        }
        if !understood.has_named_property(&name)? {
            return Ok(Some(name));
        }
        let known: Unknown = understood.get_named_property(&name)?;
        if let Some(inner) = first_unknown_field(value, known)? {
            let separator = if inner.starts_with('[') { "" } else { "." };
            return Ok(Some(format!("{name}{separator}{inner}")));
        }
    }
    Ok(None)
}

/// "Failed to convert JavaScript value `Number 5 ` into rust type `String` on A.token" becomes
/// "token must be a string"; "Missing field `env`" becomes "env is required".
fn describe(reason: &str) -> String {
    if let Some(field) = missing_field(reason) {
        return format!("{field} is required");
    }
    let mut parts = reason.split(" on ");
    let message = parts.next().unwrap_or_default();
    let mut fields: Vec<&str> = parts
        .filter_map(|location| location.split_once('.').map(|(_, field)| field))
        .collect();
    fields.reverse();
    let expected = message
        .rsplit_once("rust type `")
        .and_then(|(_, rest)| rest.split('`').next())
        .or_else(|| {
            message
                .strip_prefix("Expect value to be ")
                .and_then(|rest| rest.split(',').next())
        })
        .map(js_type);
    match (fields.is_empty(), expected) {
        (true, Some(expected)) => format!("expected {expected}"),
        (true, None) => "the argument has the wrong type".to_owned(),
        (false, Some(expected)) => format!("{} must be {expected}", fields.join(".")),
        (false, None) => format!("{} has the wrong type", fields.join(".")),
    }
}

fn js_type(rust: &str) -> &'static str {
    match rust {
        "String" | "string" => "a string",
        "bool" | "Boolean" | "boolean" => "a boolean",
        "u32" | "i32" | "i64" | "u64" | "f64" | "Number" | "number" => "a number",
        "Object" | "object" => "an object",
        _ if rust.starts_with("Vec") || rust.contains("Array") => "an array",
        _ => "of another type",
    }
}

/// A whole number from 0 to `u32::MAX`, or an `InvalidInputError` naming `name`. napi's own
/// `u32` conversion would silently wrap `-1` to 4294967295 and truncate `1.5` or `NaN`.
pub fn whole_number(env: &Env, name: &str, value: f64) -> Result<u32> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= f64::from(u32::MAX) {
        Ok(value as u32)
    } else {
        Err(errors::invalid(
            env,
            format!("{name} must be a whole number from 0 to {}", u32::MAX),
        ))
    }
}

pub fn optional_whole_number(env: &Env, name: &str, value: Option<f64>) -> Result<Option<u32>> {
    value
        .map(|value| whole_number(env, name, value))
        .transpose()
}

/// The largest whole number a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A whole number of seconds from 1 to `Number.MAX_SAFE_INTEGER` (a token's TTL): napi's own
/// `i64` conversion would truncate `1.5` and wrap or saturate what does not fit.
pub fn optional_whole_seconds(env: &Env, name: &str, value: Option<f64>) -> Result<Option<i64>> {
    match value {
        None => Ok(None),
        Some(seconds) if seconds.fract() == 0.0 && (1.0..=MAX_SAFE_INTEGER).contains(&seconds) => {
            Ok(Some(seconds as i64))
        }
        Some(_) => Err(errors::invalid(
            env,
            format!("{name} must be a whole number of seconds from 1 to {MAX_SAFE_INTEGER}"),
        )),
    }
}
