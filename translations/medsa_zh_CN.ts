<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>medsa::ui::MainWindow</name>
    <message>
        <location filename="../ui/src/main_window.cpp" line="16"/>
        <source>Med-SA Studio</source>
        <translation>Med-SA Studio</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="25"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="31"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="33"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="37"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="40"/>
        <source>&amp;About Med-SA Studio</source>
        <translation>关于 Med-SA Studio(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="43"/>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="56"/>
        <source>About Med-SA Studio</source>
        <translation>关于 Med-SA Studio</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="57"/>
        <source>&lt;h3&gt;Med-SA Studio %1&lt;/h3&gt;&lt;p&gt;Interactive medical image annotation with an in-process Segment Anything engine and medical adapters that learn from your work.&lt;/p&gt;&lt;p&gt;Licensed under the Apache License 2.0.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Med-SA Studio %1&lt;/h3&gt;&lt;p&gt;交互式医学图像标注：进程内 Segment Anything 引擎与可从您的标注中学习的医学适配器。&lt;/p&gt;&lt;p&gt;依据 Apache License 2.0 授权。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>medsa::ui::ViewerArea</name>
    <message>
        <location filename="../ui/src/viewer_area.cpp" line="18"/>
        <source>No image open</source>
        <translation>未打开图像</translation>
    </message>
</context>
</TS>
