use super::*;

#[test]
fn size_of_filter() {
    assert_eq!(core::mem::size_of::<Filter>(), 388);
}
