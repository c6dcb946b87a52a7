# tests_device/test_board.py and test_wifi.py run ON a board (tests_device/run.py copies
# them there); pytest only collects test_on_boards.py, which drives them.
collect_ignore = ["test_board.py", "test_wifi.py", "devrun.py", "run.py"]
