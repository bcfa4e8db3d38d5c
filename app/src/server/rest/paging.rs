//! Pages of the lists the store returns whole (an organization's roles, groups, projects and
//! tokens): `limit` up to 100, and a cursor that is the id of the last item seen.

use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// One page of a list, with how many items there are on all pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    pub total: i64,
}

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;

/// The answer to a cursor that does not (or no longer) point into the list.
pub fn invalid_cursor() -> AppError {
    AppError::field_worded("cursor", crate::error::Wording::new("field_cursor_stale"))
}

/// Checks a page size: 1 to 100, 50 when not given.
pub fn limit(limit: Option<u32>) -> Result<u32, AppError> {
    let l = limit.unwrap_or(DEFAULT_LIMIT);
    if (1..=MAX_LIMIT).contains(&l) {
        Ok(l)
    } else {
        Err(AppError::field_worded(
            "limit",
            crate::error::Wording::new("field_limit_range"),
        ))
    }
}

/// The page of `items` after the item whose key is `cursor`.
pub fn page_of<T>(
    items: Vec<T>,
    limit_given: Option<u32>,
    cursor: Option<&str>,
    key: impl Fn(&T) -> String,
) -> Result<Page<T>, AppError> {
    let limit = limit(limit_given)? as usize;
    let total = items.len() as i64;
    let start = match cursor.filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => {
            items
                .iter()
                .position(|i| key(i) == c)
                .ok_or_else(invalid_cursor)?
                + 1
        }
    };
    let rest: Vec<T> = items.into_iter().skip(start).collect();
    let more = rest.len() > limit;
    let items: Vec<T> = rest.into_iter().take(limit).collect();
    let next_cursor = if more { items.last().map(&key) } else { None };
    Ok(Page {
        items,
        next_cursor,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_each_other_to_the_end() {
        let items: Vec<u32> = (1..=5).collect();
        let first = page_of(items.clone(), Some(2), None, u32::to_string).expect("page");
        assert_eq!((first.items.as_slice(), first.total), (&[1, 2][..], 5));
        let second = page_of(
            items.clone(),
            Some(2),
            first.next_cursor.as_deref(),
            u32::to_string,
        )
        .expect("page");
        assert_eq!(second.items, vec![3, 4]);
        let last = page_of(
            items.clone(),
            Some(2),
            second.next_cursor.as_deref(),
            u32::to_string,
        )
        .expect("page");
        assert_eq!((last.items, last.next_cursor), (vec![5], None));
        assert!(page_of(items.clone(), Some(0), None, u32::to_string).is_err());
        assert!(page_of(items.clone(), Some(101), None, u32::to_string).is_err());
        let gone = page_of(items, None, Some("9"), u32::to_string).expect_err("refused");
        assert!(gone.field_message("cursor").is_some());
    }
}
