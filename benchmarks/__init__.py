"""linreg's benchmarks: ``python -m benchmarks [--quick] [--smoke] [--only NAME,...]``.

Each row prints a measured value beside a reference measured in the same run (the bare seed
loop, pandas.read_csv, a one-button Streamlit app, one lone session), their ratio and the goal.
Speed and memory goals live here, never as timed assertions in tests; the verdict is
informative and the exit code is 0 whatever it says.
"""
