//! One flat error type for requests and the CLI, mapped to HTTP statuses and the
//! JSON shape `{"error": {"code", "message", "details"}}`.

pub use crate::i18n::messages::Msg;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    RequestTimeout,
    Conflict,
    Invalid,
    PayloadTooLarge,
    TooManyRequests,
    Unavailable,
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// One detail of an error: where (row, column or field) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Said in English here; in the request's language in the API's answers.
    #[schema(value_type = String)]
    pub message: Msg,
}

impl ErrorDetail {
    pub fn field(field: impl Into<String>, message: impl Into<Msg>) -> Self {
        ErrorDetail {
            row: None,
            column: None,
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn cell(row: usize, column: impl Into<String>, message: impl Into<Msg>) -> Self {
        let column: String = column.into();
        ErrorDetail {
            row: Some(row),
            column: if column.is_empty() {
                None
            } else {
                Some(column)
            },
            field: None,
            message: message.into(),
        }
    }
}

impl ErrorDetail {
    /// The detail with where it is: `row 4, column name: …`.
    pub fn said(&self) -> Msg {
        let what = self.message.clone();
        match (self.row, &self.column, &self.field) {
            (Some(row), Some(column), _) => {
                crate::msg!("msg_row_column", row = row, column = column).part("what", what)
            }
            (Some(row), None, _) => crate::msg!("msg_row", row = row).part("what", what),
            (None, _, Some(field)) => Msg::at(field, what),
            (None, _, None) => what,
        }
    }
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.said())
    }
}

#[derive(Debug, Clone)]
pub struct AppError {
    pub kind: ErrorKind,
    /// A stable machine-readable code, e.g. `invalid_rows`, `forbidden`.
    pub code: &'static str,
    /// Said in English here; in the request's language on pages and in the API.
    pub message: Msg,
    pub details: Vec<ErrorDetail>,
    /// What the request collided with, when that helps the caller (the
    /// current mark of a slot, for a stale change).
    pub current: Option<serde_json::Value>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<Msg>) -> Self {
        AppError {
            kind,
            code,
            message: message.into(),
            details: Vec::new(),
            current: None,
        }
    }

    pub fn with_current(mut self, current: serde_json::Value) -> Self {
        self.current = Some(current);
        self
    }

    pub fn with_details(mut self, details: Vec<ErrorDetail>) -> Self {
        self.details = details;
        self
    }

    pub fn bad_request(message: impl Into<Msg>) -> Self {
        Self::new(ErrorKind::BadRequest, "bad_request", message)
    }

    pub fn unauthenticated(message: impl Into<Msg>) -> Self {
        Self::new(ErrorKind::Unauthenticated, "unauthenticated", message)
    }

    pub fn forbidden(message: impl Into<Msg>) -> Self {
        Self::new(ErrorKind::Forbidden, "forbidden", message)
    }

    pub fn not_found(message: impl Into<Msg>) -> Self {
        Self::new(ErrorKind::NotFound, "not_found", message)
    }

    pub fn conflict(message: impl Into<Msg>) -> Self {
        Self::new(ErrorKind::Conflict, "conflict", message)
    }

    /// A well-formed request whose content breaks a rule; `field` names where.
    pub fn invalid(field: &str, message: impl Into<Msg>) -> Self {
        let message: Msg = message.into();
        Self::new(
            ErrorKind::Invalid,
            "invalid",
            Msg::at(field, message.clone()),
        )
        .with_details(vec![ErrorDetail::field(field, message)])
    }

    pub fn internal(message: impl Into<Msg>) -> Self {
        Self::new(ErrorKind::Internal, "internal", message)
    }

    /// Whether any message of the error has words in the catalog (to be
    /// said in the reader's language).
    pub fn has_words(&self) -> bool {
        !self.message.is_plain() || self.details.iter().any(|d| !d.message.is_plain())
    }

    pub fn body(&self) -> serde_json::Value {
        self.body_in(crate::i18n::Catalog::shared(), crate::i18n::Lang::En)
    }

    /// The JSON body with every message said in `lang`.
    pub fn body_in(
        &self,
        catalog: &crate::i18n::Catalog,
        lang: crate::i18n::Lang,
    ) -> serde_json::Value {
        let details: Vec<serde_json::Value> = self
            .details
            .iter()
            .map(|d| {
                let mut v = serde_json::to_value(d).unwrap_or_default();
                if let Some(map) = v.as_object_mut() {
                    map.insert("message".into(), d.message.render(catalog, lang).into());
                }
                v
            })
            .collect();
        let mut error = serde_json::json!({
            "code": self.code,
            "message": self.message.render(catalog, lang),
            "details": details,
        });
        if let (Some(current), Some(map)) = (&self.current, error.as_object_mut()) {
            map.insert("current".into(), current.clone());
        }
        serde_json::json!({ "error": error })
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        for d in &self.details {
            write!(f, "\n  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(self.body())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::not_found("not found"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                AppError::conflict(format!("already exists ({})", info.message()))
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => AppError::new(
                ErrorKind::Invalid,
                "invalid",
                format!(
                    "refers to something that does not exist ({})",
                    info.message()
                ),
            ),
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => busy(),
            Error::DatabaseError(_, info) if info.message().contains("deadlock detected") => busy(),
            other => {
                tracing::error!(error = %other, "database error");
                AppError::internal("database error")
            }
        }
    }
}

/// The code of a transaction the database rolled back for colliding with
/// another (a deadlock between concurrent writers): nothing was stored,
/// and the same request may be sent again.
pub const BUSY: &str = "busy";

fn busy() -> AppError {
    AppError::new(
        ErrorKind::Unavailable,
        BUSY,
        crate::i18n::messages::Msg::new("database_busy"),
    )
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        tracing::error!(error = %e, "connection pool error");
        AppError::new(
            ErrorKind::Unavailable,
            "unavailable",
            "the database is not reachable",
        )
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        AppError::internal("a background task failed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn from_database(kind: DatabaseErrorKind, message: &str) -> AppError {
        AppError::from(Error::DatabaseError(kind, Box::new(message.to_string())))
    }

    #[test]
    fn a_transaction_rolled_back_for_a_collision_may_be_sent_again() {
        for e in [
            from_database(DatabaseErrorKind::Unknown, "deadlock detected"),
            from_database(
                DatabaseErrorKind::SerializationFailure,
                "could not serialize access due to concurrent update",
            ),
        ] {
            assert_eq!(e.kind, ErrorKind::Unavailable);
            assert_eq!(e.code, BUSY);
        }
        let other = from_database(DatabaseErrorKind::Unknown, "disk full");
        assert_eq!(other.kind, ErrorKind::Internal);
    }
}
