use super::*;

#[test]
fn standard_rates_are_known_and_odd_ones_are_not() {
    assert_eq!(baud_rate(115_200), Some(BaudRate::B115200));
    assert_eq!(baud_rate(921_600), Some(BaudRate::B921600));
    assert_eq!(baud_rate(12_345), None);
    let rates: Vec<u32> = rates().collect();
    assert_eq!(rates.first(), Some(&300));
    assert!(rates.windows(2).all(|pair| pair[0] < pair[1]));
}

#[test]
fn a_missing_port_is_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ttyACM9");
    let mut input = SerialInput::open(&path, 115_200).unwrap();
    match input.next(0).unwrap() {
        Event::Notice(text) => assert!(text.starts_with("waiting for"), "{text}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(input.next(0).unwrap(), Event::Idle);
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = SerialInput::open(dir.path(), 115_200).err().unwrap();
    assert_eq!(err.code, crate::error::EXIT_INPUT);
    assert!(
        err.message.contains("neither a serial device nor a file"),
        "{}",
        err.message
    );
}

#[test]
fn a_recorded_stream_is_read_to_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stream.bin");
    std::fs::write(&path, [0u8, 0x11, 0x22]).unwrap();
    let mut input = SerialInput::open(&path, 9600).unwrap();
    let mut events = Vec::new();
    for _ in 0..10 {
        let event = input.next(10).unwrap();
        let end = event == Event::End;
        events.push(event);
        if end {
            break;
        }
    }
    assert!(events.iter().any(|event| matches!(event, Event::Stream(item) if matches!(**item, Item::Corrupt { len: 2, .. }))), "{events:?}");
    assert_eq!(events.last(), Some(&Event::End));
}
