//! Endpoint URLs checked before any call: a URL the SDK cannot use must be a usage error, not a
//! panic in every Region's task (an empty URL), a silent port 80 (`:99999`) or kilobytes of
//! request dumps per Region (`ftp://…`, `not a url`).

/// An endpoint URL that cannot be used, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("{source_name} is empty: give an http:// or https:// URL, or unset it")]
    Empty { source_name: String },
    #[error("{source_name} `{url}` is not a URL ({reason}): expected http(s)://HOST[:PORT]")]
    Malformed {
        source_name: String,
        url: String,
        reason: String,
    },
    #[error("{source_name} `{url}` uses `{scheme}`: only http and https endpoints are supported")]
    Scheme {
        source_name: String,
        url: String,
        scheme: String,
    },
}

/// Checks an endpoint URL: scheme http or https, a host, a port in 1–65535 when given.
/// `source_name` says where it came from (`--endpoint-url`, an environment variable).
pub fn check_endpoint_url(source_name: &str, url: &str) -> Result<(), EndpointError> {
    let malformed = |reason: String| EndpointError::Malformed {
        source_name: source_name.to_string(),
        url: url.to_string(),
        reason,
    };
    if url.trim().is_empty() {
        return Err(EndpointError::Empty {
            source_name: source_name.to_string(),
        });
    }
    let parsed = url::Url::parse(url).map_err(|e| malformed(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(EndpointError::Scheme {
            source_name: source_name.to_string(),
            url: url.to_string(),
            scheme: parsed.scheme().to_string(),
        });
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(malformed("no host".into()));
    }
    if parsed.port() == Some(0) {
        return Err(malformed("port 0".into()));
    }
    Ok(())
}

/// The environment's endpoint variables the SDK would use for KMS and STS, each checked.
/// A variable that is set, even to an empty string, is checked: the SDK would try to use it.
pub fn endpoint_from_env(get: impl Fn(&str) -> Option<String>) -> Result<(), EndpointError> {
    for name in [
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_KMS",
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_ORGANIZATIONS",
    ] {
        if let Some(value) = get(name) {
            check_endpoint_url(name, &value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_urls_with_a_host_are_accepted() {
        for ok in [
            "http://127.0.0.1:4566",
            "https://kms.eu-west-1.amazonaws.com",
            "http://localhost:65535/",
        ] {
            assert_eq!(check_endpoint_url("--endpoint-url", ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn empty_out_of_range_foreign_and_garbage_urls_are_refused() {
        for bad in [
            "",
            "  ",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:0",
            "ftp://127.0.0.1:21",
            "not a url",
            "http://",
        ] {
            let err = check_endpoint_url("--endpoint-url", bad);
            assert!(err.is_err(), "{bad:?} was accepted");
            assert!(
                err.unwrap_err().to_string().contains("--endpoint-url"),
                "the message names where the URL came from"
            );
        }
    }

    #[test]
    fn an_empty_environment_variable_is_refused_by_name() {
        let err = endpoint_from_env(|n| (n == "AWS_ENDPOINT_URL_KMS").then(String::new));
        assert!(
            matches!(err, Err(EndpointError::Empty { source_name }) if source_name == "AWS_ENDPOINT_URL_KMS")
        );
        assert_eq!(endpoint_from_env(|_| None), Ok(()));
    }
}
