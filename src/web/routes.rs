//! Routes: each path is one resource that names the methods it answers, so
//! any other method gets `405 method_not_allowed` in the error shape, with
//! an `Allow` header listing them (on pages, an error page that says so).

use crate::error::{AppError, ErrorKind};
use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, Handler, HttpResponse, Resource, Responder, ResponseError};

/// A path and the handlers of the methods it answers.
pub struct Path {
    resource: Resource,
    allowed: Vec<Method>,
}

/// Starts the routes of one path: `routes::path("/p").get(show).put(replace)`.
pub fn path(pattern: &str) -> Path {
    Path {
        resource: web::resource(pattern),
        allowed: Vec::new(),
    }
}

macro_rules! method {
    ($(#[$doc:meta])* $name:ident, $method:expr) => {
        $(#[$doc])*
        pub fn $name<F, Args>(self, handler: F) -> Self
        where
            F: Handler<Args>,
            Args: FromRequest + 'static,
            F::Output: Responder + 'static,
        {
            self.method($method, handler)
        }
    };
}

impl Path {
    fn method<F, Args>(mut self, method: Method, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.resource = self
            .resource
            .route(web::route().method(method.clone()).to(handler));
        self.allowed.push(method);
        self
    }

    method!(
        /// Answers `GET`.
        get,
        Method::GET
    );
    method!(
        /// Answers `POST`.
        post,
        Method::POST
    );
    method!(
        /// Answers `PUT`.
        put,
        Method::PUT
    );
    method!(
        /// Answers `PATCH`.
        patch,
        Method::PATCH
    );
    method!(
        /// Answers `DELETE`.
        delete,
        Method::DELETE
    );

    /// Data for this path's handlers only (a body limit, say).
    pub fn app_data<U: 'static>(mut self, data: U) -> Self {
        self.resource = self.resource.app_data(data);
        self
    }
}

impl HttpServiceFactory for Path {
    fn register(self, config: &mut AppService) {
        let allow = self
            .allowed
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let resource = self.resource.default_service(web::to(move || {
            let allow = allow.clone();
            async move { method_not_allowed(&allow) }
        }));
        HttpServiceFactory::register(resource, config)
    }
}

/// `405` for a method the path does not answer, naming those it does.
pub fn method_not_allowed(allow: &str) -> HttpResponse {
    let err = AppError::new(
        ErrorKind::MethodNotAllowed,
        "method_not_allowed",
        format!("this address answers only {allow}"),
    );
    let mut resp = err.error_response();
    if let Ok(v) = header::HeaderValue::from_str(allow) {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    resp
}
