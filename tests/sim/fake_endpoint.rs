//! A canned AWS endpoint on 127.0.0.1 for the answers neither moto nor the simulator gives: an
//! Organizations that lists no account or repeats its page token, an STS that answers for
//! another account. It answers by the call's name (`X-Amz-Target` for JSON protocols, `Action`
//! for the Query protocol) and counts the calls, so a test proves its fault was served.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

/// What the endpoint answers to a call: (status, content type, body).
pub type Answer = (u16, &'static str, String);

pub struct FakeEndpoint {
    pub url: String,
    calls: Arc<Mutex<BTreeMap<String, u64>>>,
    _runtime: tokio::runtime::Runtime,
}

impl FakeEndpoint {
    /// Serves `answer(call)` for every request until dropped.
    pub fn start(answer: impl Fn(&str) -> Answer + Send + Sync + 'static) -> FakeEndpoint {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let calls = Arc::new(Mutex::new(BTreeMap::new()));
        let answer = Arc::new(answer);
        let counted = calls.clone();
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (answer, counted) = (answer.clone(), counted.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let (answer, counted) = (answer.clone(), counted.clone());
                        async move {
                            let call = call_name(req).await;
                            *counted.lock().unwrap().entry(call.clone()).or_insert(0) += 1;
                            let (status, content_type, body) = answer(&call);
                            Ok::<_, std::convert::Infallible>(
                                Response::builder()
                                    .status(status)
                                    .header("content-type", content_type)
                                    .header("x-amzn-requestid", "fake-request")
                                    .body(Full::new(Bytes::from(body)))
                                    .unwrap(),
                            )
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        FakeEndpoint {
            url,
            calls,
            _runtime: runtime,
        }
    }

    /// How many times `call` was answered.
    pub fn calls(&self, call: &str) -> u64 {
        self.calls.lock().unwrap().get(call).copied().unwrap_or(0)
    }
}

/// `ListAccounts` from `X-Amz-Target: AWSOrganizationsV20161128.ListAccounts`, or
/// `GetCallerIdentity` from a Query body's `Action=`.
async fn call_name(req: Request<hyper::body::Incoming>) -> String {
    if let Some(target) = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
    {
        return target.rsplit('.').next().unwrap_or(target).to_string();
    }
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    String::from_utf8_lossy(&body)
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .unwrap_or("unknown")
        .to_string()
}

/// STS's answer to GetCallerIdentity, for `account`.
pub fn caller_identity(account: &str) -> Answer {
    (
        200,
        "text/xml",
        format!(
            r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::{account}:user/auditor</Arn>
    <UserId>AIDAFAKEFAKEFAKEFAKE</UserId>
    <Account>{account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#
        ),
    )
}

/// Organizations' ListAccounts page with `ids` and, when given, a `NextToken`.
pub fn accounts_page(ids: &[&str], next: Option<&str>) -> Answer {
    let accounts: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            serde_json::json!({
                "Id": id,
                "Arn": format!("arn:aws:organizations::{id}:account/o-fake/{id}"),
                "Email": format!("{id}@example.com"),
                "Name": format!("account-{id}"),
                "Status": "ACTIVE",
            })
        })
        .collect();
    let mut page = serde_json::json!({ "Accounts": accounts });
    if let Some(token) = next {
        page["NextToken"] = token.into();
    }
    (200, "application/x-amz-json-1.1", page.to_string())
}
