"""Reading Charades_v1_classes.txt and the Charades CSVs: every well-formed
row, and a line-numbered reason for every other one."""
import pytest

from nl_plugin.action.datasets.charades_annotations import (Action,
                                                            parse_actions,
                                                            read_charades_csv,
                                                            read_classes)

HEADER = ('id,subject,scene,quality,relevance,verified,script,objects,'
          'descriptions,actions,length\n')
CLASSES = {'c000': 0, 'c001': 1, 'c092': 2}


def _row(video_id, actions, length='30.5', script='A person walks.'):
    return (f'{video_id},HR43,Kitchen,6,7,Yes,"{script}",cup;dish,'
            f'"Someone, somewhere.",{actions},{length}\n')


def test_classes_file(tmp_path):
    path = tmp_path / 'classes.txt'
    path.write_text('c000 Holding some clothes\nc001 Putting clothes '
                    'somewhere\n\n')
    assert read_classes(str(path)) == [('c000', 'Holding some clothes'),
                                       ('c001', 'Putting clothes somewhere')]
    path.write_text('c000 Holding\nHolding clothes\n')
    with pytest.raises(ValueError, match='line 2'):
        read_classes(str(path))
    path.write_text('c000 Holding\nc000 Again\n')
    with pytest.raises(ValueError, match='line 2: class c000 repeated'):
        read_classes(str(path))


def test_actions_field():
    assert parse_actions('', CLASSES) == ()
    assert parse_actions('c092 11.90 21.20;c000 0.00 12.60',
                         CLASSES) == (Action(2, 11.9,
                                             21.2), Action(0, 0.0, 12.6))
    assert parse_actions(' c001 1 1 ; ', CLASSES) == (Action(1, 1.0, 1.0), )
    for text, reason in (('c001 1.0', 'is not "cXXX'),
                         ('c157 1.0 2.0', "'c157' is not in the class list"),
                         ('c001 2.0 1.0', 'ends before it starts'),
                         ('c001 -1 2.0', 'non-negative'), ('c001 nan 2.0',
                                                           'non-negative'),
                         ('c001 a 2.0', "'a' is not a time")):
        with pytest.raises(ValueError, match=reason):
            parse_actions(text, CLASSES)


def test_csv_rows_and_problems_with_their_lines(tmp_path):
    path = tmp_path / 'Charades_v1_train.csv'
    path.write_text(
        HEADER + _row('46GP8', 'c092 11.90 21.20;c001 0.00 12.60') +  # line 2
        _row('N11GT', '', script='Two lines,\nof script') +  # lines 3-4
        _row('BAD01', 'c001 5.0 2.0') +  # line 5
        _row('BAD02', 'c999 1 2') +  # line 6
        _row('BAD03', 'c000 1 2', length='long') +  # line 7
        _row('46GP8', 'c000 1 2') +  # line 8: repeated id
        'SHORT,HR43,Kitchen\n' +  # line 9
        _row('EXTRA', 'c000 1 2').rstrip('\n') + ',x\n' +  # line 10
        _row('OK002', 'c000 1.5 2.5'))  # line 11
    videos, problems = read_charades_csv(str(path), list(CLASSES))
    assert [(v.video_id, v.line) for v in videos] == [('46GP8', 2),
                                                      ('N11GT', 3),
                                                      ('OK002', 11)]
    assert videos[0].actions == (Action(2, 11.9, 21.2), Action(1, 0.0, 12.6))
    assert videos[0].length == 30.5
    assert videos[1].actions == ()  # kept: a negative of every class
    assert [p.line for p in problems] == [5, 6, 7, 8, 9, 10]
    reasons = [p.reason for p in problems]
    assert 'ends before it starts' in reasons[0]
    assert 'not in the class list' in reasons[1]
    assert "length 'long'" in reasons[2]
    assert reasons[3] == 'id 46GP8 repeated'
    assert 'too few fields' in reasons[4]
    assert '12 fields, the header has 11' in reasons[5]


def test_header_without_required_columns(tmp_path):
    path = tmp_path / 'bad.csv'
    path.write_text('id,subject,length\nX,Y,3\n')
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['actions'"):
        read_charades_csv(str(path), list(CLASSES))
