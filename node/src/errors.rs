//! `PhaseError` and its family subclasses: real JavaScript `Error` subclasses (stack traces,
//! `instanceof`), defined per realm at load time from the core's family list, and created
//! natively from core errors with `code`, `status`, `retryAfter` and `retryable`.

use napi::bindgen_prelude::{
    Env, FnArgs, Function, FunctionRef, JsObjectValue, Object, Result, Unknown,
};
use phasekit::{Error, ErrorCode, ErrorFamily};

use crate::realm;

/// Builds the classes from `[[className, parentClassName | null, ...codes], ...]` and returns
/// `{ classes, create, codes, families }` (`families`: class name -> its codes); `create(className, message, code, status, retryAfter,
/// retryable)` makes one error; `codes` is the frozen list of error codes.
const DEFINE_CLASSES: &str = r#"(function defineErrorClasses(families, codes) {
  class PhaseError extends Error {
    constructor(message, details) {
      super(message);
      const { code = null, status = null, retryAfter = null, retryable = false } = details ?? {};
      this.code = code;
      this.status = status;
      this.retryAfter = retryAfter;
      this.retryable = retryable;
    }
  }
  const classes = { PhaseError };
  const familyCodes = {};
  for (const [name, parent, ...ownCodes] of families) {
    const Base = classes[parent ?? 'PhaseError'];
    classes[name] = { [name]: class extends Base {} }[name];
    familyCodes[name] = Object.freeze(ownCodes);
  }
  for (const [name, cls] of Object.entries(classes)) {
    Object.defineProperty(cls.prototype, 'name', {
      value: name, writable: true, enumerable: false, configurable: true,
    });
  }
  const create = (name, message, code, status, retryAfter, retryable) => {
    const error = new classes[name](message, { code, status, retryAfter, retryable });
    Error.captureStackTrace?.(error, create);
    return error;
  };
  return { classes, create, codes: Object.freeze([...codes]), families: Object.freeze(familyCodes) };
})"#;

type CreateArgs = FnArgs<(
    &'static str,
    String,
    &'static str,
    Option<u32>,
    Option<f64>,
    bool,
)>;

/// The realm's error factory (see `realm.rs`).
pub struct ErrorFactory {
    create: FunctionRef<CreateArgs, Unknown<'static>>,
}

impl ErrorFactory {
    /// Defines the error classes and puts them, and `ERROR_CODES`, on `exports`.
    pub fn define(env: &Env, exports: &mut Object) -> Result<Self> {
        type DefineArgs<'a> = FnArgs<(Vec<Vec<Option<&'a str>>>, Vec<&'a str>)>;
        let define: Function<DefineArgs, Object> = env.run_script(DEFINE_CLASSES)?;
        let families: Vec<Vec<Option<&str>>> = ErrorFamily::ALL
            .iter()
            .map(|family| {
                [
                    Some(family.class_name()),
                    family.parent().map(ErrorFamily::class_name),
                ]
                .into_iter()
                .chain(family.codes().map(|code| Some(code.as_str())))
                .collect()
            })
            .collect();
        let codes: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        let defined = define.call(FnArgs::from((families, codes)))?;
        let classes: Object = defined.get_named_property("classes")?;
        for name in
            std::iter::once("PhaseError").chain(ErrorFamily::ALL.map(ErrorFamily::class_name))
        {
            let class: Unknown = classes.get_named_property(name)?;
            exports.set_named_property(name, class)?;
        }
        let codes: Unknown = defined.get_named_property("codes")?;
        exports.set_named_property("ERROR_CODES", codes)?;
        // The core's table as data (class name -> its codes), against which the tests check
        // the classes.
        let families: Unknown = defined.get_named_property("families")?;
        exports.set_named_property("ERROR_FAMILIES", families)?;
        let create: Function<CreateArgs, Unknown<'static>> =
            defined.get_named_property("create")?;
        Ok(ErrorFactory {
            create: create.create_ref()?,
        })
    }
}

/// The `PhaseError` subclass for a core error, as a napi error that rejects or throws with it.
/// Runs on the JavaScript thread.
pub fn to_js(env: &Env, error: &Error) -> napi::Error {
    match create(env, error) {
        Ok(value) => napi::Error::from(value),
        Err(failure) => failure,
    }
}

/// The `PhaseError` subclass for a core error, as a JavaScript value (to pass to a callback).
/// Runs on the JavaScript thread.
pub fn create(env: &Env, error: &Error) -> Result<Unknown<'static>> {
    let create = realm::get(env)?.errors.create.borrow_back(env)?;
    // Names in the message as JavaScript spells them (`maxRetries`).
    let message = phasekit::Naming::Camel.render(&error.to_string());
    create.call(FnArgs::from((
        error.code().family().class_name(),
        message,
        error.code().as_str(),
        error.status().map(u32::from),
        error.retry_after().map(|wait| wait.as_secs_f64()),
        error.retryable(),
    )))
}

/// An `InvalidInputError` raised by the binding itself (an argument the core never sees).
pub fn invalid(env: &Env, message: impl Into<String>) -> napi::Error {
    to_js(env, &Error::new(ErrorCode::InvalidInput, message))
}
