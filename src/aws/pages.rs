//! Following a paginated call's tokens (ListKeys, ListAliases, ListGrants, ListResourceTags,
//! ListKeyRotations, Organizations ListAccounts). A service, a proxy or an emulator that answers
//! a token it has already sent would make the loop page forever; every listing here stops on a
//! repeated token with an error naming the call, never with a silently short list.

use std::collections::HashSet;

/// The tokens one listing has been given so far.
pub(super) struct PageTokens {
    call: &'static str,
    seen: HashSet<String>,
}

/// A listing that was stopped because the service sent a token twice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{call} sent the page token {token:?} a second time: the listing would never end, so it was stopped and is incomplete"
)]
pub struct RepeatedToken {
    pub call: &'static str,
    pub token: String,
}

impl PageTokens {
    pub(super) fn new(call: &'static str) -> PageTokens {
        PageTokens {
            call,
            seen: HashSet::new(),
        }
    }

    /// The token to ask the next page with: `None` when the listing is complete (no token, an
    /// empty one, or `more` false where the call says so), an error when `token` came before.
    pub(super) fn next(
        &mut self,
        token: Option<&str>,
        more: bool,
    ) -> Result<Option<String>, RepeatedToken> {
        match token.filter(|t| !t.is_empty() && more) {
            None => Ok(None),
            Some(t) if !self.seen.insert(t.to_string()) => Err(RepeatedToken {
                call: self.call,
                token: t.chars().take(40).collect(),
            }),
            Some(t) => Ok(Some(t.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tokens_are_followed_and_the_end_of_the_listing_is_none() {
        let mut pages = PageTokens::new("ListGrants");
        assert_eq!(pages.next(Some("a"), true), Ok(Some("a".into())));
        assert_eq!(pages.next(Some("b"), true), Ok(Some("b".into())));
        assert_eq!(pages.next(None, true), Ok(None));
        assert_eq!(pages.next(Some(""), true), Ok(None));
        assert_eq!(pages.next(Some("c"), false), Ok(None), "not truncated");
    }

    #[test]
    fn a_token_sent_again_even_pages_later_stops_the_listing_with_the_call_named() {
        let mut pages = PageTokens::new("ListAccounts");
        pages.next(Some("a"), true).unwrap();
        pages.next(Some("b"), true).unwrap();
        let err = pages.next(Some("a"), true).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("ListAccounts sent the page token"),
            "{err}"
        );
    }
}
