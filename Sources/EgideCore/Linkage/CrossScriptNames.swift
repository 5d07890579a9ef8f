/// A labelled set of name pairs across scripts and transliterations, for measuring the matcher
/// (`egide bench linkage`) and guarding it in tests. Positives are one person written two ways;
/// negatives are different people chosen to be hard: the same first name or family name, or the
/// same initial. Names are those of public human rights defenders and common names of each region.
public enum CrossScriptNames {
    public struct Pair: Sendable {
        public var left: String
        public var right: String
        public var same: Bool
        public var scripts: String
    }

    public static let pairs: [Pair] = {
        func rows(_ scripts: String, same: Bool, _ list: [(String, String)]) -> [Pair] {
            list.map { Pair(left: $0.0, right: $0.1, same: same, scripts: scripts) }
        }
        return rows("Arabic–Latin", same: true, [
            ("حسين بن صالح", "Houssein Ben Salah"), ("حسين بن صالح", "Hocine Bensalah"),
            ("محمد عبد الرحمن", "Mohamed Abderrahmane"), ("محمد عبد الرحمن", "Muhammad Abdel Rahman"),
            ("أحمد الطرابلسي", "Ahmed Trabelsi"), ("يوسف الشاهد", "Youssef Chahed"),
            ("فاطمة الزهراء بن علي", "Fatma Zahra Ben Ali"), ("عبد السلام الحسني", "Abdessalam El Hassani"),
            ("خالد المنصوري", "Khaled Mansouri"), ("ليلى الغنوشي", "Leila Ghannouchi"),
            ("نور الدين بوزيد", "Noureddine Bouzid"), ("سامية الزواري", "Samia Zouari"),
            ("رشيد الغربي", "Rachid Gharbi"), ("هند صبري", "Hind Sabri"), ("عمر البشير", "Omar El Bechir"),
            ("سليم بن حميدان", "Slim Ben Hmidane"), ("مريم العلوي", "Meriem Alaoui"),
            ("جمال خاشقجي", "Jamal Khashoggi"), ("طارق بن زياد", "Tarek Ben Ziad"),
            ("إبراهيم العمري", "Ibrahim Al Omari"), ("زينب الحسيني", "Zeineb Husseini"),
            ("ناصر الزفزافي", "Nasser Zefzafi"), ("توفيق بوعشرين", "Taoufik Bouachrine"),
            ("سهام بن سدرين", "Sihem Bensedrine"), ("عائشة القذافي", "Aicha Kadhafi"),
        ]) + rows("Arabic–Latin", same: false, [
            ("حسين بن صالح", "Hassan Ben Salem"), ("محمد عبد الرحمن", "Mohamed Abdelkader"),
            ("أحمد الطرابلسي", "Amine Tlili"), ("يوسف الشاهد", "Yassine Chaabane"),
            ("خالد المنصوري", "Khalil Marzouki"), ("ليلى الغنوشي", "Lina Ghribi"), ("رشيد الغربي", "Rafik Ghorbel"),
            ("سليم بن حميدان", "Salem Ben Hamida"), ("مريم العلوي", "Mounira Alaya"), ("جمال خاشقجي", "Jamel Khechine"),
            ("طارق بن زياد", "Tahar Ben Youssef"), ("إبراهيم العمري", "Ibrahim Amrani"), ("زينب الحسيني", "Zahra Hassine"),
            ("ناصر الزفزافي", "Nabil Zaafrani"), ("سهام بن سدرين", "Samira Ben Said"), ("هند صبري", "Hana Sabbagh"),
            ("عمر البشير", "Omar Bouchiba"), ("سامية الزواري", "Samir Zouabi"), ("فاطمة الزهراء بن علي", "Fatma Ben Amor"),
            ("عائشة القذافي", "Aicha Khadraoui"),
        ]) + rows("Latin–Latin", same: true, [
            ("Mohamed Ben Salah", "Mohammed Bensalah"), ("Houssein Ben Salah", "Hocine Bensalah"),
            ("Abderrahmane Kaci", "Abdel Rahman Kassi"), ("Youssef Chahed", "Yusuf Shahed"),
            ("Khaled Mansouri", "Khalid Mansuri"), ("Leila Ghannouchi", "Layla Ghanouchi"),
            ("Rachid Gharbi", "Rashid El Gharbi"), ("Aicha Kadhafi", "Aisha Gaddafi"), ("Omar El Bechir", "Omar al-Bashir"),
            ("Noureddine Bouzid", "Nour El Dine Bouzid"), ("Ibrahim Al Omari", "Ebrahim Elomari"),
            ("Tarek Ben Ziad", "Tariq bin Ziyad"), ("Nasser Zefzafi", "Naser Zafzafi"), ("Sihem Bensedrine", "Siham Ben Sedrine"),
            ("Taoufik Bouachrine", "Tawfiq Bouachrin"), ("Zeineb Husseini", "Zaynab Hussaini"),
            ("Meriem Alaoui", "Maryam Alaoui"), ("Jamal Khashoggi", "Djamel Khachoggi"), ("Slim Ben Hmidane", "Salim Ben Hmidan"),
            ("Oussama Ben Romdhane", "Usama Bin Ramadan"), ("Jean-Pierre Kabila", "Jean Pierre Kabila"),
            ("Éléonore Mbarga", "Eleonore M'Barga"), ("Moussa Traoré", "Musa Traore"), ("Amadou Diallo", "Ahmadou Diallo"),
            ("Salah Mohamed", "Mohamed Salah"),
        ]) + rows("Latin–Latin", same: false, [
            ("Mohamed Ben Salah", "Mohamed Ben Salem"), ("Houssein Ben Salah", "Hassan Ben Salah"),
            ("Khaled Mansouri", "Khalil Mansour"), ("Leila Ghannouchi", "Lina Ghannouchi"), ("Rachid Gharbi", "Rached Ghariani"),
            ("Omar El Bechir", "Omar El Bekri"), ("Ibrahim Al Omari", "Ibrahim Amrani"), ("Nasser Zefzafi", "Nasser Zouari"),
            ("Sihem Bensedrine", "Sihem Ben Said"), ("Jean-Pierre Kabila", "Jean-Paul Kabongo"), ("Moussa Traoré", "Moussa Touré"),
            ("Amadou Diallo", "Amadou Diarra"), ("Nadia Khaldi", "Samir Khaldi"), ("Aline Mbarga", "Alain Mbarga"),
            ("Youssef Chahed", "Youssef Chaabane"), ("Tarek Ben Ziad", "Tarek Ben Yahia"), ("Meriem Alaoui", "Meriem Allouche"),
            ("Slim Ben Hmidane", "Selim Ben Hamadi"), ("Amira Jaziri", "Amina Jaziri"), ("Chantal Feza", "Faustin Zihindula"),
        ]) + rows("Cyrillic–Latin", same: true, [
            ("Нино Беридзе", "Nino Beridze"), ("Мухаммед Бенсалах", "Mohamed Ben Salah"),
            ("Наталья Эстемирова", "Natalia Estemirova"), ("Оюб Титиев", "Oyub Titiev"), ("Алексей Навальный", "Aleksei Navalny"),
            ("Анна Политковская", "Anna Politkovskaya"), ("Светлана Ганнушкина", "Svetlana Gannushkina"), ("Олег Орлов", "Oleg Orlov"),
            ("Юрий Дмитриев", "Yuri Dmitriev"), ("Ильяс Ахмадов", "Ilyas Akhmadov"), ("Зарема Мусаева", "Zarema Musaeva"),
            ("Абубакар Янгулбаев", "Abubakar Yangulbaev"), ("Ігор Козловський", "Ihor Kozlovskyi"),
            ("Максим Буткевич", "Maksym Butkevych"), ("Алесь Беляцкий", "Ales Bialiatski"), ("Марфа Рабкова", "Marfa Rabkova"),
            ("Евгений Витишко", "Yevgeny Vitishko"), ("Рамзан Джалалдинов", "Ramzan Dzhalaldinov"),
            ("Жанна Немцова", "Zhanna Nemtsova"), ("Магомед Гаджиев", "Magomed Gadzhiev"), ("Сергей Ковалёв", "Sergei Kovalev"),
            ("Людмила Алексеева", "Lyudmila Alexeyeva"),
        ]) + rows("Cyrillic–Latin", same: false, [
            ("Наталья Эстемирова", "Natalia Sokolova"), ("Олег Орлов", "Oleg Osipov"), ("Анна Политковская", "Anna Polyakova"),
            ("Светлана Ганнушкина", "Svetlana Gavrilova"), ("Юрий Дмитриев", "Yuri Dmitrenko"), ("Зарема Мусаева", "Zarema Magomedova"),
            ("Максим Буткевич", "Maksym Bilous"), ("Марфа Рабкова", "Maria Rabinovich"), ("Сергей Ковалёв", "Sergei Kozlov"),
            ("Людмила Алексеева", "Lyudmila Alekseenko"), ("Алексей Навальный", "Aleksandr Nalivaiko"),
            ("Жанна Немцова", "Zhanna Nesterova"), ("Магомед Гаджиев", "Magomed Gamzatov"), ("Ильяс Ахмадов", "Ilyas Akhmetov"),
            ("Евгений Витишко", "Yevgeny Vinokurov"),
        ]) + rows("Georgian–Latin", same: true, [
            ("ნინო ბერიძე", "Nino Beridze"), ("გიორგი ბერიძე", "Giorgi Beridze"), ("ეკატერინე გაბაშვილი", "Ekaterine Gabashvili"),
            ("ზვიად გამსახურდია", "Zviad Gamsakhurdia"), ("თამარ ჩერგოლეიშვილი", "Tamar Chergoleishvili"),
            ("მზია ამაღლობელი", "Mzia Amaglobeli"), ("ლევან ვასაძე", "Levan Vasadze"), ("ნიკა მელია", "Nika Melia"),
            ("სალომე ზურაბიშვილი", "Salome Zourabichvili"), ("დავით კაპანაძე", "Davit Kapanadze"),
            ("ელენე ხოშტარია", "Elene Khoshtaria"), ("ირაკლი ოქრუაშვილი", "Irakli Okruashvili"), ("ანა დოლიძე", "Ana Dolidze"),
            ("ბაჩო ახალაია", "Bacho Akhalaia"), ("ქეთევან ციხელაშვილი", "Ketevan Tsikhelashvili"),
        ]) + rows("Georgian–Latin", same: false, [
            ("ნინო ბერიძე", "Nino Kapanadze"), ("გიორგი ბერიძე", "Giorgi Bakradze"), ("ეკატერინე გაბაშვილი", "Ekaterine Gogoladze"),
            ("ზვიად გამსახურდია", "Zurab Gamsakhurdia"), ("თამარ ჩერგოლეიშვილი", "Tamar Chikovani"),
            ("ლევან ვასაძე", "Levan Vashakidze"), ("ნიკა მელია", "Nika Gvaramia"), ("დავით კაპანაძე", "Davit Kipiani"),
            ("ანა დოლიძე", "Ana Natsvlishvili"), ("ირაკლი ოქრუაშვილი", "Irakli Kobakhidze"),
            ("ქეთევან ციხელაშვილი", "Ketevan Tsereteli"), ("ელენე ხოშტარია", "Elene Khurtsidze"),
        ]) + rows("Georgian–Cyrillic", same: true, [
            ("ნინო ბერიძე", "Нино Беридзе"), ("გიორგი ბერიძე", "Георгий Беридзе"), ("ზვიად გამსახურდია", "Звиад Гамсахурдия"),
            ("ლევან ვასაძე", "Леван Васадзе"), ("ნიკა მელია", "Ника Мелия"), ("დავით კაპანაძე", "Давид Капанадзе"),
            ("ანა დოლიძე", "Анна Долидзе"), ("ელენე ხოშტარია", "Елена Хоштария"),
        ]) + rows("Georgian–Cyrillic", same: false, [
            ("ნინო ბერიძე", "Нина Бердзенишвили"), ("ლევან ვასაძე", "Леван Гачечиладзе"), ("ნიკა მელია", "Ника Гварамия"),
            ("დავით კაპანაძე", "Давид Кипиани"), ("გიორგი ბერიძე", "Георгий Бакрадзе"), ("ანა დოლიძე", "Анна Нацвлишвили"),
        ])
    }()

    /// The highest recall reachable at a precision of at least `precision`, over scored pairs.
    public static func recall(atPrecision precision: Double, _ scored: [(score: Double, same: Bool)]) -> Double {
        let positives = scored.filter(\.same).count
        guard positives > 0 else { return 0 }
        let sorted = scored.sorted { $0.score > $1.score || $0.score == $1.score && !$0.same && $1.same }
        var best = 0.0, truePositives = 0, taken = 0
        for (index, pair) in sorted.enumerated() {
            taken += 1
            if pair.same { truePositives += 1 }
            // Only at the end of a run of equal scores is a threshold possible.
            if index + 1 < sorted.count, sorted[index + 1].score == pair.score { continue }
            if Double(truePositives) / Double(taken) >= precision { best = max(best, Double(truePositives) / Double(positives)) }
        }
        return best
    }
}
